-- When the earliest leased job is due again: its lease's end, or its run_at when that is later.
-- The worker asks each time it goes idle (`next_job_at`). With only `jobs_leased`, PostgreSQL
-- answered by reading every row of the queue whenever its statistics were missing or stale
-- (a fresh or busy database: each lease and each finished job leaves a dead row until vacuum),
-- ~1 ms a call once the queue held a few thousand credentials to expire (issue 24). Indexed on
-- the same expression as the query, the answer is the index's first entry. Only leased jobs
-- are in it.
CREATE INDEX jobs_leased_due ON jobs ((CASE WHEN locked_until > run_at THEN locked_until ELSE run_at END))
    WHERE locked_by IS NOT NULL;
