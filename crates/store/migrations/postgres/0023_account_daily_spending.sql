-- An account's outgoing payments on one (UTC, virtual) day, kept on the account so that a
-- payment checks the daily limit in the statement that debits it, instead of summing the day's
-- payments: that sum read every payment of the day again, so each payment cost more than the
-- one before (issue 24). `spent_day` is that day's start (micros); `spent_minor` is what the
-- account's outgoing payments created on it add up to (card payments have the card's limit and
-- do not count). Filled from the payments of each account's latest day.
ALTER TABLE monetary_accounts ADD COLUMN spent_day BIGINT NOT NULL DEFAULT 0;
ALTER TABLE monetary_accounts ADD COLUMN spent_minor BIGINT NOT NULL DEFAULT 0;
UPDATE monetary_accounts SET spent_day = COALESCE((
    SELECT MAX(p.created) - MAX(p.created) % 86400000000 FROM payments p
    WHERE p.monetary_account_id = monetary_accounts.id AND p.amount_minor < 0
      AND p.type <> 'MASTERCARD'), 0);
UPDATE monetary_accounts SET spent_minor = COALESCE((
    SELECT SUM(-p.amount_minor) FROM payments p
    WHERE p.monetary_account_id = monetary_accounts.id AND p.amount_minor < 0
      AND p.type <> 'MASTERCARD'
      AND p.created >= monetary_accounts.spent_day
      AND p.created < monetary_accounts.spent_day + 86400000000), 0);
