-- Guest speakers of meetings (with their personal guest link) and file attachments.

CREATE TABLE speakers (
    id           TEXT PRIMARY KEY,
    meeting_id   TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    email        TEXT NOT NULL,
    organisation TEXT,
    bio          TEXT NOT NULL DEFAULT '',
    -- SHA-256 of the guest link's secret; the link is valid until a week after the meeting ends.
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL
);
CREATE INDEX speakers_meeting ON speakers (meeting_id);
CREATE UNIQUE INDEX speakers_meeting_email ON speakers (meeting_id, email);

-- One row per stored file. `parent_kind`/`parent_id` name what it is attached to; readers join
-- the parent and its community so that a file is visible exactly to those who see its parent.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    parent_kind  TEXT NOT NULL CHECK (parent_kind IN ('meeting', 'note', 'practice')),
    parent_id    TEXT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    storage_key  TEXT NOT NULL,
    user_id      TEXT REFERENCES users (id) ON DELETE SET NULL,
    speaker_id   TEXT REFERENCES speakers (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX attachments_parent ON attachments (parent_kind, parent_id, created_at);
