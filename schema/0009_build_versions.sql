-- 0009_build_versions.sql - builds known by version (a tag pattern per project), and the history of fixed_in.

-- How a build.version names a git ref when no release is named like it: "v{version}".
ALTER TABLE projects ADD COLUMN version_tag TEXT;

-- fixed_in follows from the release that first contains the fixing commit: when a
-- release registered (or reordered) changes it, the items it fixes say so in their history.
CREATE TRIGGER commits_release_history AFTER UPDATE OF release ON commits
WHEN old.release IS NOT new.release
BEGIN
	INSERT INTO audit(project_id, target_type, target_num, actor, field, old_value, new_value, at)
	SELECT new.project_id, 'R', r.num, 'release ' || coalesce(new.release, old.release),
	       'fixed_in', old.release, new.release, unixepoch()
	FROM reports r WHERE r.project_id = new.project_id AND r.fixed_by = new.id;
	INSERT INTO audit(project_id, target_type, target_num, actor, field, old_value, new_value, at)
	SELECT new.project_id, 'G', g.num, 'release ' || coalesce(new.release, old.release),
	       'fixed_in', old.release, new.release, unixepoch()
	FROM groups g WHERE g.project_id = new.project_id AND g.fixed_by = new.id
	AND g.merged_into IS NULL;
END;

-- A report that came into a fixed group from a build prosum could not check against the
-- fix (an unknown revision or version) keeps that fixing commit here: the group's "fixed"
-- is then no answer for its tester, who is told nothing rather than a guess.
ALTER TABLE reports ADD COLUMN unchecked_fix TEXT;
