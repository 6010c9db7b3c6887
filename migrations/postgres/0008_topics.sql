-- Topics of a community's content agenda: members propose and vote, the facilitator plans them
-- onto a meeting's agenda (scheduled), published minutes mark them discussed.

CREATE TABLE topics (
    id           TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    author_id    TEXT REFERENCES users (id) ON DELETE SET NULL,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'scheduled', 'discussed', 'closed')),
    -- The number of rows in topic_votes for this topic, changed by +1/-1 in the transaction that
    -- adds or removes a vote (only when the insert or delete changed a row). The list is sorted by
    -- it, so reading a community's topics is one index range scan instead of grouping every vote
    -- on every page view. Whoever deletes votes other than through db::topics (erasing an account)
    -- must lower it in the same transaction.
    votes        BIGINT NOT NULL DEFAULT 0 CHECK (votes >= 0),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
-- "The open topics of this community, most votes first, then oldest" and the same without a
-- status filter; id last keeps equal timestamps in a stable order.
CREATE INDEX topics_community_status_rank ON topics (community_id, status, votes DESC, created_at, id);
CREATE INDEX topics_community_rank ON topics (community_id, votes DESC, created_at, id);

CREATE TABLE topic_votes (
    topic_id   TEXT NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (topic_id, user_id)
);
CREATE INDEX topic_votes_user ON topic_votes (user_id);

-- Agenda items point at their topic (agenda_items.topic_id, from 0005); find the items of a topic.
CREATE INDEX agenda_items_topic ON agenda_items (topic_id);
