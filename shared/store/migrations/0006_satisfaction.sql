-- 0006: the reporter's rating of the outcome (满意度回访).
ALTER TABLE cases ADD COLUMN rating INTEGER CHECK (rating BETWEEN 1 AND 5);
ALTER TABLE cases ADD COLUMN rating_comment TEXT;
ALTER TABLE cases ADD COLUMN rated_at TEXT;
-- A low rating may reopen a case once.
ALTER TABLE cases ADD COLUMN reopened_by_rating INTEGER NOT NULL DEFAULT 0 CHECK (reopened_by_rating IN (0, 1));
