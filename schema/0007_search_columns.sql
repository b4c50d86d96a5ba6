-- 0007_search_columns.sql - the full-text index keeps which column a word is in, not where in
-- it: every query prosum makes is words (with a column filter for titles), never phrases, and
-- an index without positions is cheaper to write for every report.
DROP TABLE reports_fts;
CREATE VIRTUAL TABLE reports_fts USING fts5 (
	title, text, exception, functions,
	tokenize = 'unicode61 remove_diacritics 2', detail = column
);
INSERT INTO reports_fts(rowid, title, text, exception, functions)
SELECT r.id, r.title,
       coalesce(json_extract(r.body, '$.description'), '') || char(10) ||
       coalesce(json_extract(r.body, '$.steps'), ''),
       coalesce(json_extract(r.body, '$.exception.type'), '') || ' ' ||
       coalesce(json_extract(r.body, '$.exception.value'), ''),
       coalesce((SELECT group_concat(json_extract(f.value, '$.function'), ' ')
                 FROM json_each(r.body, '$.frames') AS f), '')
FROM reports r;
