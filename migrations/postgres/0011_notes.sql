-- Notes of a community with tags and comments (Markdown, rendered to sanitised HTML once on write),
-- and the List-Unsubscribe header of notification e-mails in the outbox.

CREATE TABLE notes (
    id            TEXT PRIMARY KEY,
    community_id  TEXT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    -- NULL once the author's account is erased: the note stays, attributed to a former participant.
    author_id     TEXT REFERENCES users (id) ON DELETE SET NULL,
    title         TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    body_html     TEXT NOT NULL,
    -- The tags in the author's order, space-separated, for display; note_tags is what filters.
    tags          TEXT NOT NULL DEFAULT '',
    -- 'community': members of community_id; 'programme': members of any community of its programme.
    visibility    TEXT NOT NULL DEFAULT 'community' CHECK (visibility IN ('community', 'programme')),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
-- "The latest notes of this community" and its keyset pages (created_at, id), newest first.
CREATE INDEX notes_community_latest ON notes (community_id, created_at DESC, id DESC);
-- The notes a community shares with its whole programme, for the lists of its sibling communities.
CREATE INDEX notes_shared_latest ON notes (community_id, created_at DESC, id DESC) WHERE visibility = 'programme';
CREATE INDEX notes_author ON notes (author_id);

-- One row per tag of a note. community_id and created_at are copies of the note's (neither ever
-- changes), so "the notes of this community with this tag, newest first" is one index range.
CREATE TABLE note_tags (
    note_id      TEXT NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    tag          TEXT NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (note_id, tag)
);
CREATE INDEX note_tags_community_tag ON note_tags (community_id, tag, created_at DESC, note_id DESC);

CREATE TABLE comments (
    id            TEXT PRIMARY KEY,
    note_id       TEXT NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    author_id     TEXT REFERENCES users (id) ON DELETE SET NULL,
    body_markdown TEXT NOT NULL,
    body_html     TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
-- The comments of a note, oldest first, and their keyset pages.
CREATE INDEX comments_note ON comments (note_id, created_at, id);
CREATE INDEX comments_author ON comments (author_id);

-- `<https://…/account>` for notification mails (RFC 2369); NULL for other mail.
ALTER TABLE outbox ADD COLUMN list_unsubscribe TEXT;
