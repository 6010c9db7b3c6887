-- Date polls (datumprikkers): slots, answers, and the meeting a decision creates.

CREATE TABLE polls (
    id           TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'decided')),
    closes_at    TEXT,
    meeting_id   TEXT REFERENCES meetings (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX polls_community ON polls (community_id, created_at);

CREATE TABLE poll_options (
    id        TEXT PRIMARY KEY,
    poll_id   TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    starts_at TEXT NOT NULL,
    ends_at   TEXT NOT NULL
);
CREATE INDEX poll_options_poll ON poll_options (poll_id, starts_at);

CREATE TABLE poll_answers (
    option_id TEXT NOT NULL REFERENCES poll_options (id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    answer    TEXT NOT NULL CHECK (answer IN ('yes', 'maybe', 'no')),
    PRIMARY KEY (option_id, user_id)
);
