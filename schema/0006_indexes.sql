-- 0006_indexes.sql - indexes for the link-driven updates: items by fixing commit, links by commit.
CREATE INDEX reports_fixed_by ON reports (project_id, fixed_by) WHERE fixed_by IS NOT NULL;
CREATE INDEX groups_fixed_by ON groups (project_id, fixed_by) WHERE fixed_by IS NOT NULL;
CREATE INDEX links_commit ON links (project_id, commit_id);
CREATE INDEX commits_release ON commits (project_id, release) WHERE release IS NOT NULL;
