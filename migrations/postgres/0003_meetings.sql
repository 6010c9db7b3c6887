-- Meetings with iCalendar invitations, RSVP and attendance; calendar parts on queued e-mail.

ALTER TABLE outbox ADD COLUMN calendar TEXT;
ALTER TABLE outbox ADD COLUMN calendar_method TEXT;

CREATE TABLE meetings (
    id                     TEXT PRIMARY KEY,
    community_id           TEXT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    title                  TEXT NOT NULL,
    kind                   TEXT NOT NULL CHECK (kind IN ('online', 'site_visit', 'hybrid')),
    status                 TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled', 'held')),
    starts_at              TIMESTAMPTZ NOT NULL,
    ends_at                TIMESTAMPTZ NOT NULL,
    description            TEXT NOT NULL DEFAULT '',
    online_url             TEXT,
    location_name          TEXT,
    location_address       TEXT,
    location_city          TEXT,
    host_organisation_code TEXT REFERENCES organisations (code),
    moderator_user_id      TEXT REFERENCES users (id) ON DELETE SET NULL,
    sequence               BIGINT NOT NULL DEFAULT 0,
    cancel_reason          TEXT,
    created_at             TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL
);
CREATE INDEX meetings_community_start ON meetings (community_id, starts_at);

CREATE TABLE meeting_rsvps (
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    response   TEXT NOT NULL CHECK (response IN ('yes', 'no', 'maybe')),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);

CREATE TABLE meeting_attendance (
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (meeting_id, user_id)
);
