-- kring foundation: reference data, accounts, sessions, outbox, audit. Timestamps are UTC, written by kring.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organisations (
    code               TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('municipality', 'province', 'water_board', 'other')),
    province           TEXT,
    population         INTEGER CHECK (population >= 0),
    association_member BOOLEAN NOT NULL DEFAULT FALSE,
    search_key         TEXT NOT NULL
);
CREATE INDEX organisations_kind_name ON organisations (kind, name);

CREATE TABLE users (
    id                     TEXT PRIMARY KEY,
    email                  TEXT NOT NULL,
    email_normalized       TEXT NOT NULL UNIQUE,
    name                   TEXT NOT NULL,
    is_admin               BOOLEAN NOT NULL DEFAULT FALSE,
    organisation_code      TEXT REFERENCES organisations (code),
    domains                TEXT NOT NULL DEFAULT '',
    notification_frequency TEXT NOT NULL DEFAULT 'weekly'
        CHECK (notification_frequency IN ('instant', 'daily', 'weekly', 'off')),
    created_at             TEXT NOT NULL,
    last_sign_in_at        TEXT
);

CREATE TABLE signin_links (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    next_path  TEXT
);
CREATE INDEX signin_links_user ON signin_links (user_id);

-- Requests counted for per-address limits, shared by every instance on the same database.
CREATE TABLE rate_events (
    bucket TEXT NOT NULL,
    key    TEXT NOT NULL,
    at     TEXT NOT NULL
);
CREATE INDEX rate_events_lookup ON rate_events (bucket, key, at);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label        TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE communities (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE memberships (
    community_id TEXT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('member', 'facilitator')),
    created_at   TEXT NOT NULL,
    PRIMARY KEY (community_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    -- Contains a secret (a sign-in link): the bodies are blanked once delivered.
    sensitive       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    first_attempt_at TEXT,
    locked_until    TEXT,
    locked_by       TEXT,
    last_error      TEXT,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_created ON outbox (created_at);

CREATE TABLE audit_events (
    id         TEXT PRIMARY KEY,
    at         TEXT NOT NULL,
    actor_id   TEXT REFERENCES users (id) ON DELETE SET NULL,
    action     TEXT NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at ON audit_events (at);
