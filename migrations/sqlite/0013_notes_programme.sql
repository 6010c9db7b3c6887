-- The programme of a note, copied from its community when the note is written, so that a
-- community's list finds the notes its sibling communities share with the programme by walking
-- one index in order, instead of gathering and sorting every shared note of every sibling.

ALTER TABLE notes ADD COLUMN programme_id TEXT;
UPDATE notes SET programme_id = (SELECT c.programme_id FROM communities c WHERE c.id = notes.community_id);
CREATE INDEX notes_programme_latest ON notes (programme_id, created_at DESC, id DESC) WHERE visibility = 'programme';
