-- Requests for money (bunq's RequestInquiry, and the RequestResponse its counterparty sees when
-- that counterparty is an account here): one row per request, both sides. responder_* is set
-- only for a request to an account here. Accepting one is an internal payment written in the
-- same transaction as the status; created/updated and both account ids let a feed list them.

CREATE TABLE money_requests (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    monetary_account_id    BIGINT  NOT NULL REFERENCES monetary_accounts (id),
    user_id                BIGINT  NOT NULL REFERENCES users (id),
    alias_iban             TEXT    NOT NULL,
    alias_name             TEXT    NOT NULL,
    responder_account_id   BIGINT  REFERENCES monetary_accounts (id),
    responder_user_id      BIGINT  REFERENCES users (id),
    counterparty_type      TEXT    NOT NULL CHECK (counterparty_type IN ('IBAN', 'EMAIL')),
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
CREATE INDEX money_requests_by_account ON money_requests (monetary_account_id, id);
CREATE INDEX money_requests_by_responder ON money_requests (responder_account_id, id);

-- bunq.me tabs: a fixed amount anyone may pay into the account, until cancelled. Each payment
-- through one (money in from an IBAN elsewhere) is linked in bunqme_tab_results.
CREATE TABLE bunqme_tabs (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    monetary_account_id BIGINT  NOT NULL REFERENCES monetary_accounts (id),
    user_id             BIGINT  NOT NULL REFERENCES users (id),
    uuid                TEXT    NOT NULL UNIQUE,
    alias_iban          TEXT    NOT NULL,
    alias_name          TEXT    NOT NULL,
    amount_minor        BIGINT  NOT NULL CHECK (amount_minor > 0),
    currency            TEXT    NOT NULL,
    description         TEXT    NOT NULL,
    status              TEXT    NOT NULL
        CHECK (status IN ('WAITING_FOR_PAYMENT', 'CANCELLED', 'EXPIRED')),
    created             BIGINT  NOT NULL,
    updated             BIGINT  NOT NULL
);
CREATE INDEX bunqme_tabs_by_account ON bunqme_tabs (monetary_account_id, id);

CREATE TABLE bunqme_tab_results (
    tab_id     BIGINT NOT NULL REFERENCES bunqme_tabs (id),
    payment_id BIGINT NOT NULL REFERENCES payments (id),
    PRIMARY KEY (tab_id, payment_id)
);
