-- A card's spending on one (UTC, virtual) day, kept on the card so that an authorisation checks
-- the card's limit with the statement that locks the card instead of summing the day's actions.
-- `spent_day` is that day's start (micros); `spent_minor` is what authorised, unreversed
-- actions created on it add up to. Filled from the actions of each card's latest day.
ALTER TABLE cards ADD COLUMN spent_day BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN spent_minor BIGINT NOT NULL DEFAULT 0;
UPDATE cards SET spent_day = COALESCE((
    SELECT MAX(a.created) - MAX(a.created) % 86400000000 FROM mastercard_actions a
    WHERE a.card_id = cards.id AND a.authorisation_status = 'AUTHORISED'), 0);
UPDATE cards SET spent_minor = COALESCE((
    SELECT SUM(a.amount_minor) FROM mastercard_actions a
    WHERE a.card_id = cards.id AND a.authorisation_status = 'AUTHORISED'
      AND a.created >= cards.spent_day AND a.created < cards.spent_day + 86400000000), 0);
