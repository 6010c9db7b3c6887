-- Agenda items of meetings, in order, with durations.

CREATE TABLE agenda_items (
    id               TEXT PRIMARY KEY,
    meeting_id       TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position         BIGINT NOT NULL,
    title            TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL CHECK (duration_minutes > 0),
    description      TEXT NOT NULL DEFAULT '',
    speaker_id       TEXT,
    topic_id         TEXT
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position);
