-- 0014_board.sql - the community board: hidden and pinned suggestions, hidden comments, trending votes.

-- A team member hides a suggestion or a comment: kept, left out for visitors and testers, shown
-- to the team marked hidden. Each change is in the audit table too (field "hidden", "pinned";
-- "hidden_comment" on the item the comment belongs to).
ALTER TABLE suggestions ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1));
-- Pinned suggestions come first in every sort of the board.
ALTER TABLE suggestions ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1));
ALTER TABLE comments ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1));
ALTER TABLE comments ADD COLUMN hidden_by TEXT;
ALTER TABLE comments ADD COLUMN hidden_at INTEGER;

-- Trending: the votes of one suggestion cast since a time.
CREATE INDEX votes_recent ON votes (suggestion_id, created_at);
