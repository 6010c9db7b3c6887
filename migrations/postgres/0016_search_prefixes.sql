-- SQLite's counterpart builds FTS5 prefix indexes so that prefix terms ("wadi" → "wadi:*") read one
-- list instead of merging many. PostgreSQL's GIN index on tsv already finds prefixes from its
-- entry tree, so there is nothing to change here; this file keeps both folders in step.
SELECT 1;
