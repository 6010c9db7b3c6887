-- Minutes (draft and published) with decisions, and action items that carry over.

CREATE TABLE minutes (
    meeting_id    TEXT PRIMARY KEY REFERENCES meetings (id) ON DELETE CASCADE,
    body_markdown TEXT NOT NULL,
    decisions     TEXT NOT NULL DEFAULT '[]',
    status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    updated_at    TEXT NOT NULL,
    published_at  TEXT
);

CREATE TABLE actions (
    id            TEXT PRIMARY KEY,
    meeting_id    TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    community_id  TEXT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    text          TEXT NOT NULL,
    owner_user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    owner_name    TEXT,
    due_date      TEXT,
    done          BOOLEAN NOT NULL DEFAULT FALSE,
    position      INTEGER NOT NULL
);
CREATE INDEX actions_community_open ON actions (community_id, done);
CREATE INDEX actions_meeting ON actions (meeting_id, position);
