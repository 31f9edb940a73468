-- Issue 25: a request for money may name its counterparty by PHONE_NUMBER (as a payment may);
-- 0016 allowed IBAN and EMAIL only, so such a request failed on the constraint. SQLite cannot
-- change a CHECK in place: the table is rebuilt with the same columns, rows and indexes (no
-- table references it).
CREATE TABLE money_requests_new (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    monetary_account_id    BIGINT  NOT NULL REFERENCES monetary_accounts (id),
    user_id                BIGINT  NOT NULL REFERENCES users (id),
    alias_iban             TEXT    NOT NULL,
    alias_name             TEXT    NOT NULL,
    responder_account_id   BIGINT  REFERENCES monetary_accounts (id),
    responder_user_id      BIGINT  REFERENCES users (id),
    counterparty_type      TEXT    NOT NULL
        CHECK (counterparty_type IN ('IBAN', 'EMAIL', 'PHONE_NUMBER')),
    counterparty_value     TEXT    NOT NULL,
    counterparty_iban      TEXT    NOT NULL,
    counterparty_name      TEXT    NOT NULL,
    amount_inquired_minor  BIGINT  NOT NULL CHECK (amount_inquired_minor > 0),
    amount_responded_minor BIGINT,
    currency               TEXT    NOT NULL,
    description            TEXT    NOT NULL,
    merchant_reference     TEXT,
    status                 TEXT    NOT NULL
        CHECK (status IN ('PENDING', 'ACCEPTED', 'REJECTED', 'REVOKED', 'EXPIRED')),
    time_responded         BIGINT,
    created                BIGINT  NOT NULL,
    updated                BIGINT  NOT NULL
);
INSERT INTO money_requests_new (id, monetary_account_id, user_id, alias_iban, alias_name,
    responder_account_id, responder_user_id, counterparty_type, counterparty_value,
    counterparty_iban, counterparty_name, amount_inquired_minor, amount_responded_minor,
    currency, description, merchant_reference, status, time_responded, created, updated)
SELECT id, monetary_account_id, user_id, alias_iban, alias_name,
    responder_account_id, responder_user_id, counterparty_type, counterparty_value,
    counterparty_iban, counterparty_name, amount_inquired_minor, amount_responded_minor,
    currency, description, merchant_reference, status, time_responded, created, updated
FROM money_requests;
DROP TABLE money_requests;
ALTER TABLE money_requests_new RENAME TO money_requests;
CREATE INDEX money_requests_by_account ON money_requests (monetary_account_id, id);
CREATE INDEX money_requests_by_responder ON money_requests (responder_account_id, id);
