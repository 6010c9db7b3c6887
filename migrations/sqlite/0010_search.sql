-- The search index: one row per searchable thing (note, comment, practice example, published
-- minutes, topic, meeting) with the visibility fields the search query filters on, and its text
-- stemmed in the application (domain::stem) so that SQLite and PostgreSQL match the same tokens.

CREATE TABLE search_docs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('note', 'comment', 'practice', 'minutes', 'topic', 'meeting')),
    ref_id       TEXT NOT NULL,
    community_id TEXT REFERENCES communities (id) ON DELETE CASCADE,
    programme_id TEXT REFERENCES programmes (id) ON DELETE CASCADE,
    visibility   TEXT NOT NULL CHECK (visibility IN ('community', 'programme', 'public')),
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    url          TEXT NOT NULL,
    stems        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (kind, ref_id)
);
CREATE INDEX search_docs_community ON search_docs (community_id);
CREATE INDEX search_docs_programme ON search_docs (programme_id, visibility);

-- FTS5 over the stemmed tokens; rowid = search_docs.id. The default unicode61 tokenizer splits
-- the stems exactly where PostgreSQL's 'simple' parser does (they are ASCII words and digits).
CREATE VIRTUAL TABLE search_fts USING fts5 (stems, tokenize = 'unicode61');
