-- 0010_fix_checks.sql - a report inherits its group's fix only when its build was checked and lacks it; links name only items that exist.

-- The group's fixing commit this report's build was checked against (NULL: never checked),
-- and the verdict: 1 the build holds that commit, 0 it lacks it, NULL prosum could not tell
-- (the build is unknown or unresolved). A report inherits its group's "fixed" only with
-- fix_checked = the group's fixed_by and has_fix = 0: only then is the fix news for its
-- tester (store.c, REPORT_STATUS).
ALTER TABLE reports ADD COLUMN fix_checked TEXT;
ALTER TABLE reports ADD COLUMN has_fix INTEGER;
-- A report kept from its group's fix before (unchecked_fix) was checked and could not tell.
-- Every other report of a fixed group is checked again at the project's next sync.
UPDATE reports SET fix_checked = unchecked_fix WHERE unchecked_fix IS NOT NULL;
ALTER TABLE reports DROP COLUMN unchecked_fix;

-- A commit naming an item that did not exist when a sync read it: recorded, never applied
-- (numbers are handed out in order, so the item later given that number is another one).
CREATE TABLE links_missing (
	project_id INTEGER NOT NULL REFERENCES projects(id),
	ref_type   TEXT NOT NULL CHECK (ref_type IN ('R', 'G', 'S')),
	ref_num    INTEGER NOT NULL,
	commit_id  TEXT NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('fix', 'implement')),
	PRIMARY KEY (project_id, ref_type, ref_num, commit_id)
) WITHOUT ROWID;
-- Links kept so far for items that do not exist (yet) become such records.
INSERT OR IGNORE INTO links_missing SELECT l.project_id, l.ref_type, l.ref_num, l.commit_id, l.kind
FROM links l WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE l.ref_type = 'R'
	AND r.project_id = l.project_id AND r.num = l.ref_num)
AND NOT EXISTS (SELECT 1 FROM groups g WHERE l.ref_type = 'G' AND g.project_id = l.project_id
	AND g.num = l.ref_num)
AND NOT EXISTS (SELECT 1 FROM suggestions s WHERE l.ref_type = 'S'
	AND s.project_id = l.project_id AND s.num = l.ref_num);
DELETE FROM links WHERE EXISTS (SELECT 1 FROM links_missing m WHERE m.project_id = links.project_id
	AND m.ref_type = links.ref_type AND m.ref_num = links.ref_num
	AND m.commit_id = links.commit_id);
