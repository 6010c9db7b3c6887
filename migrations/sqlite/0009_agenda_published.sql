-- When the facilitator last e-mailed the agenda to the members (NULL: not published yet).

ALTER TABLE meetings ADD COLUMN agenda_published_at TEXT;
