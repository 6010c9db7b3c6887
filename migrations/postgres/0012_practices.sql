-- Practice examples (praktijkvoorbeelden): structured cards about a measure an organisation took,
-- with themes, figures, an optional location, and a visibility. `programme_id` is copied from the
-- community when the example is written, so "visible to the programme" is one indexed comparison.

CREATE TABLE practices (
    id                TEXT PRIMARY KEY,
    title             TEXT NOT NULL,
    organisation_code TEXT NOT NULL REFERENCES organisations (code),
    summary           TEXT NOT NULL DEFAULT '',
    body_markdown     TEXT NOT NULL DEFAULT '',
    -- Sanitised HTML of body_markdown, rendered when the example is written.
    body_html         TEXT NOT NULL DEFAULT '',
    lessons_learned   TEXT NOT NULL DEFAULT '',
    year              BIGINT CHECK (year BETWEEN 1990 AND 2100),
    cost_eur          BIGINT CHECK (cost_eur >= 0),
    area_m2           BIGINT CHECK (area_m2 >= 0),
    -- WGS84; both or neither.
    lat               DOUBLE PRECISION,
    lon               DOUBLE PRECISION,
    community_id      TEXT REFERENCES communities (id) ON DELETE CASCADE,
    programme_id      TEXT REFERENCES programmes (id) ON DELETE SET NULL,
    visibility        TEXT NOT NULL CHECK (visibility IN ('community', 'programme', 'public')),
    author_id         TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    CHECK ((lat IS NULL) = (lon IS NULL)),
    CHECK (visibility = 'public' OR community_id IS NOT NULL)
);
CREATE INDEX practices_created ON practices (created_at DESC, id DESC);
CREATE INDEX practices_organisation ON practices (organisation_code, created_at DESC);
CREATE INDEX practices_community ON practices (community_id);
CREATE INDEX practices_programme ON practices (programme_id, visibility);
CREATE INDEX practices_public ON practices (visibility, created_at DESC);
CREATE INDEX practices_author ON practices (author_id);

-- The themes of an example (a fixed list, checked by kring). The theme filter starts here.
CREATE TABLE practice_themes (
    practice_id TEXT NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
    theme       TEXT NOT NULL,
    PRIMARY KEY (practice_id, theme)
);
CREATE INDEX practice_themes_theme ON practice_themes (theme, practice_id);

-- Thumbnails of image attachments: decoded and re-encoded by kring (JPEG), stored beside the
-- original under `<storage_key>.thumb.jpg`. Only these are ever shown inline.
CREATE TABLE attachment_thumbnails (
    attachment_id TEXT PRIMARY KEY REFERENCES attachments (id) ON DELETE CASCADE,
    width         BIGINT NOT NULL,
    height        BIGINT NOT NULL,
    size          BIGINT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
