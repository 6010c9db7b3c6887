-- Seats taken are counted per community and role on every page that shows a community (the public
-- home lists them all): with this index the count reads the index alone instead of every
-- membership row.
CREATE INDEX memberships_community_role ON memberships (community_id, role);
