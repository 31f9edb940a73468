-- Issue 25: a request for money may name its counterparty by PHONE_NUMBER (as a payment may);
-- 0016 allowed IBAN and EMAIL only, so such a request failed on the constraint.
ALTER TABLE money_requests DROP CONSTRAINT money_requests_counterparty_type_check;
ALTER TABLE money_requests ADD CONSTRAINT money_requests_counterparty_type_check
    CHECK (counterparty_type IN ('IBAN', 'EMAIL', 'PHONE_NUMBER'));
