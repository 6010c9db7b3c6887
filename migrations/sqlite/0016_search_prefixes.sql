-- Query terms of three letters or more match as prefixes ("school" finds "schoolpleinen"). Without
-- a prefix index FTS5 merges the lists of every word that starts with the term before it can
-- return the newest match: 2-18 ms on the scale-1 demo for "wadi", "regen", "groen dak". With
-- indexes for prefixes of 3 to 7 letters it reads one list, newest first, and stops at the limit:
-- 0.1-0.2 ms, for about 60% more index. Longer terms are rarer and still merge.
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts5 (stems, tokenize = 'unicode61', prefix = '3 4 5 6 7');
INSERT INTO search_fts (rowid, stems) SELECT id, stems FROM search_docs;
