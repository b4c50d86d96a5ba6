-- 0013_page_indexes.sql - what the web app's pages read, fast at a million reports: reports by time with their group and build, a group's reports by time, tags counted per group.

-- A project's reports by time, with their group and build: the home page counts the last
-- 48 hours per group (rising groups) and the last days per build (releases) from this index
-- alone, never from the table's rows. It begins as reports_project_time did, so it serves
-- every query that one served.
CREATE INDEX reports_project_time_group ON reports (project_id, received_at, group_id, commit_id);
DROP INDEX reports_project_time;

-- A group's reports by time, with their build: daily and hourly counts of a group and its
-- reports per release, read from the index alone.
CREATE INDEX reports_group_time ON reports (group_id, received_at, commit_id);

-- New groups: the latest first seen.
CREATE INDEX groups_project_first ON groups (project_id, first_seen);
-- The home page's totals: reports, groups and open groups summed from this index alone.
CREATE INDEX groups_project_open ON groups (project_id, merged_into, status, count);

-- A group's tags are counted in group_facets as facet 'tag:KEY', value VALUE, kept at ingest
-- beside its versions and platforms (store_ingest.c) and moved with them on a merge: counting
-- them from report_tags would look up every report of the group. The reports stored so far:
INSERT INTO group_facets(group_id, facet, value, count)
SELECT r.group_id, 'tag:' || t.key, t.value, count(*)
FROM report_tags t JOIN reports r ON r.id = t.report_id
GROUP BY r.group_id, t.key, t.value;
