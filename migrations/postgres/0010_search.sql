-- The search index: one row per searchable thing (note, comment, practice example, published
-- minutes, topic, meeting) with the visibility fields the search query filters on, and its text
-- stemmed in the application (domain::stem) so that SQLite and PostgreSQL match the same tokens.

CREATE TABLE search_docs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('note', 'comment', 'practice', 'minutes', 'topic', 'meeting')),
    ref_id       TEXT NOT NULL,
    community_id TEXT REFERENCES communities (id) ON DELETE CASCADE,
    programme_id TEXT REFERENCES programmes (id) ON DELETE CASCADE,
    visibility   TEXT NOT NULL CHECK (visibility IN ('community', 'programme', 'public')),
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    url          TEXT NOT NULL,
    stems        TEXT NOT NULL,
    -- The same tokens as SQLite's FTS5 table: 'simple' only lower-cases and splits.
    tsv          TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', stems)) STORED,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (kind, ref_id)
);
CREATE INDEX search_docs_community ON search_docs (community_id);
CREATE INDEX search_docs_programme ON search_docs (programme_id, visibility);
CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);
