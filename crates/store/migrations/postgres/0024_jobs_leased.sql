-- The jobs a claim has just leased, found by its token. Without this index the claim's read
-- (`WHERE locked_by = $1 AND locked_until = $2`) went through every job in the queue, and the
-- queue holds a job for each credential that has yet to expire (one per provision waiting
-- for its user's onboarding), so each claim cost more than the one before (issue 24). Only
-- leased jobs are in it.
CREATE INDEX jobs_leased ON jobs (locked_by) WHERE locked_by IS NOT NULL;
