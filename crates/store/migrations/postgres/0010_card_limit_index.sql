-- The card limit sums the day's authorised actions of one card on every authorisation. With
-- the status and amount in the index the sum reads the index alone, never the table rows.
DROP INDEX mastercard_actions_by_card_time;
CREATE INDEX mastercard_actions_card_spending ON mastercard_actions
    (card_id, created, authorisation_status, amount_minor);
