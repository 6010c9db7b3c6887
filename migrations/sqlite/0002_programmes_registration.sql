-- Programmes, community settings, registrations with seats and a waitlist.

CREATE TABLE programmes (
    id            TEXT PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    contact_name  TEXT,
    contact_email TEXT,
    created_at    TEXT NOT NULL
);

CREATE TABLE programme_participants (
    programme_id      TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    organisation_code TEXT NOT NULL REFERENCES organisations (code),
    created_at        TEXT NOT NULL,
    PRIMARY KEY (programme_id, organisation_code)
);
CREATE INDEX programme_participants_org ON programme_participants (organisation_code);

CREATE TABLE enrolments (
    id                TEXT PRIMARY KEY,
    programme_id      TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    organisation_code TEXT NOT NULL REFERENCES organisations (code),
    contact_name      TEXT NOT NULL,
    contact_email     TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
    created_at        TEXT NOT NULL,
    decided_at        TEXT
);
CREATE INDEX enrolments_programme ON enrolments (programme_id, status);

ALTER TABLE communities ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE communities ADD COLUMN programme_id TEXT REFERENCES programmes (id);
ALTER TABLE communities ADD COLUMN capacity INTEGER NOT NULL DEFAULT 25 CHECK (capacity > 0);
ALTER TABLE communities ADD COLUMN max_per_organisation INTEGER CHECK (max_per_organisation > 0);
ALTER TABLE communities ADD COLUMN registration_opens_at TEXT;
ALTER TABLE communities ADD COLUMN registration_deadline TEXT;
ALTER TABLE communities ADD COLUMN approval TEXT NOT NULL DEFAULT 'automatic' CHECK (approval IN ('automatic', 'manual'));
ALTER TABLE communities ADD COLUMN organisation_kinds TEXT NOT NULL DEFAULT 'municipality';
ALTER TABLE communities ADD COLUMN min_population INTEGER;
ALTER TABLE communities ADD COLUMN max_population INTEGER;
ALTER TABLE communities ADD COLUMN require_member_or_participant BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE communities ADD COLUMN meetings_per_year INTEGER NOT NULL DEFAULT 3;
ALTER TABLE communities ADD COLUMN site_visits_per_year INTEGER NOT NULL DEFAULT 1;
CREATE INDEX communities_programme ON communities (programme_id);

-- One row per request for a seat; facilitators' direct additions are registrations too.
CREATE TABLE registrations (
    id                TEXT PRIMARY KEY,
    community_id      TEXT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    user_id           TEXT REFERENCES users (id) ON DELETE SET NULL,
    name              TEXT NOT NULL,
    email             TEXT NOT NULL,
    email_normalized  TEXT NOT NULL,
    organisation_code TEXT NOT NULL REFERENCES organisations (code),
    domains           TEXT NOT NULL DEFAULT '',
    motivation        TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'waitlisted', 'declined', 'withdrawn')),
    waitlist_seq      INTEGER,
    decline_reason    TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX registrations_active_email ON registrations (community_id, email_normalized)
    WHERE status IN ('pending', 'accepted', 'waitlisted');
CREATE INDEX registrations_community_status ON registrations (community_id, status, waitlist_seq);
CREATE INDEX registrations_user ON registrations (user_id);
