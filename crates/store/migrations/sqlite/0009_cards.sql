-- Card money moves as MASTERCARD Payments: SQLite cannot change a CHECK constraint, so the
-- payments table is rebuilt with the new type allowed (ids, and so the sequence, kept).
CREATE TABLE payments_new (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    monetary_account_id BIGINT  NOT NULL REFERENCES monetary_accounts (id),
    user_id             BIGINT  NOT NULL REFERENCES users (id),
    transfer_id         TEXT    NOT NULL,
    amount_minor        BIGINT  NOT NULL CHECK (amount_minor <> 0),
    currency            TEXT    NOT NULL,
    alias_iban          TEXT    NOT NULL,
    alias_name          TEXT    NOT NULL,
    counterparty_iban   TEXT    NOT NULL,
    counterparty_name   TEXT    NOT NULL,
    description         TEXT    NOT NULL,
    merchant_reference  TEXT,
    type                TEXT    NOT NULL CHECK (type IN ('BUNQ', 'EBA_SCT', 'MASTERCARD')),
    balance_after_minor BIGINT  NOT NULL CHECK (balance_after_minor >= 0),
    created             BIGINT  NOT NULL
);
INSERT INTO payments_new SELECT id, monetary_account_id, user_id, transfer_id, amount_minor,
    currency, alias_iban, alias_name, counterparty_iban, counterparty_name, description,
    merchant_reference, type, balance_after_minor, created FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
CREATE INDEX payments_by_account ON payments (monetary_account_id, id);
CREATE INDEX payments_by_account_time ON payments (monetary_account_id, created);
CREATE INDEX payments_by_transfer ON payments (transfer_id);

-- Cards (bunq CardDebit / CardCredit), their generated CVC2s, card transactions
-- (MasterCardAction), 3DS challenges (MasterCardIdentityCheckChallengeRequest) and the card
-- timers that move them on (order progress, CVC2 and challenge expiry) on the virtual clock.
-- A card's PIN is stored only as a salted PBKDF2 hash; its PAN is unique across the store.

CREATE TABLE cards (
    id                           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id                      BIGINT NOT NULL REFERENCES users (id),
    kind                         TEXT   NOT NULL CHECK (kind IN ('DEBIT', 'CREDIT')),
    public_uuid                  TEXT   NOT NULL UNIQUE,
    product_type                 TEXT   NOT NULL,
    product_sub_type             TEXT   NOT NULL,
    first_line                   TEXT,
    second_line                  TEXT   NOT NULL,
    name_on_card                 TEXT   NOT NULL,
    preferred_name_on_card       TEXT,
    status                       TEXT   NOT NULL CHECK (status IN ('ACTIVE', 'DEACTIVATED', 'LOST', 'STOLEN', 'CANCELLED', 'EXPIRED', 'PIN_TRIES_EXCEEDED')),
    cancellation_reason          TEXT   CHECK (cancellation_reason IN ('FRAUD', 'LOST', 'STOLEN', 'OTHER')),
    order_status                 TEXT   NOT NULL CHECK (order_status IN ('NEW_CARD_REQUEST_RECEIVED', 'SENT_FOR_PRODUCTION', 'ACCEPTED_FOR_PRODUCTION', 'DELIVERED_TO_CUSTOMER', 'VIRTUAL_DELIVERY')),
    country                      TEXT   NOT NULL,
    monetary_account_id          BIGINT NOT NULL REFERENCES monetary_accounts (id),
    monetary_account_id_fallback BIGINT REFERENCES monetary_accounts (id),
    currency                     TEXT   NOT NULL,
    card_limit_minor             BIGINT NOT NULL CHECK (card_limit_minor >= 0),
    card_limit_atm_minor         BIGINT NOT NULL CHECK (card_limit_atm_minor >= 0),
    pin_hash                     TEXT,
    pan                          TEXT   NOT NULL UNIQUE,
    expiry_date                  TEXT   NOT NULL,
    expected_delivery_date       TEXT,
    created                      BIGINT NOT NULL,
    updated                      BIGINT NOT NULL,
    -- A cancelled card says why.
    CHECK (status <> 'CANCELLED' OR cancellation_reason IS NOT NULL)
);
CREATE INDEX cards_by_user ON cards (user_id, id);

CREATE TABLE card_cvc2s (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    card_id     BIGINT NOT NULL REFERENCES cards (id),
    type        TEXT   NOT NULL CHECK (type IN ('STATIC', 'GENERATED')),
    cvc2        TEXT   NOT NULL,
    status      TEXT   NOT NULL CHECK (status IN ('AVAILABLE', 'USED', 'EXPIRED', 'BLOCKED')),
    expiry_time BIGINT,
    created     BIGINT NOT NULL,
    updated     BIGINT NOT NULL
);
CREATE INDEX card_cvc2s_by_card ON card_cvc2s (card_id, id);

-- Card transactions. amount_minor is positive (what the merchant asked for); the money moved is
-- the MASTERCARD Payment (payment_id), none for a declined one.
CREATE TABLE mastercard_actions (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    card_id               BIGINT NOT NULL REFERENCES cards (id),
    monetary_account_id   BIGINT NOT NULL REFERENCES monetary_accounts (id),
    user_id               BIGINT NOT NULL REFERENCES users (id),
    amount_minor          BIGINT NOT NULL CHECK (amount_minor > 0),
    currency              TEXT   NOT NULL,
    merchant_name         TEXT   NOT NULL,
    merchant_city         TEXT   NOT NULL,
    merchant_country      TEXT   NOT NULL,
    merchant_id           TEXT   NOT NULL,
    merchant_category_code TEXT  NOT NULL,
    pan_entry_mode        TEXT   NOT NULL,
    decision              TEXT   NOT NULL,
    decision_description  TEXT   NOT NULL,
    authorisation_status  TEXT   NOT NULL CHECK (authorisation_status IN ('AUTHORISED', 'DECLINED', 'REVERSED')),
    settlement_status     TEXT   NOT NULL CHECK (settlement_status IN ('PENDING_SETTLEMENT', 'SETTLED', 'NOT_APPLICABLE')),
    clearing_status       TEXT   NOT NULL CHECK (clearing_status IN ('PENDING', 'FIRST_PRESENTMENT_COMPLETE', 'NOT_APPLICABLE')),
    applied_limit         TEXT,
    additional_authentication_status TEXT,
    payment_id            BIGINT REFERENCES payments (id),
    reversal_payment_id   BIGINT REFERENCES payments (id),
    created               BIGINT NOT NULL,
    updated               BIGINT NOT NULL,
    CHECK ((authorisation_status = 'DECLINED') = (payment_id IS NULL))
);
CREATE INDEX mastercard_actions_by_account ON mastercard_actions (monetary_account_id, id);
-- The card limit sums today's authorised actions of one card.
CREATE INDEX mastercard_actions_by_card_time ON mastercard_actions (card_id, created);

-- 3DS challenges. The authorisation waiting for the user's answer is kept here, and runs
-- when the user accepts.
CREATE TABLE challenge_requests (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             BIGINT NOT NULL REFERENCES users (id),
    card_id             BIGINT NOT NULL REFERENCES cards (id),
    amount_minor        BIGINT NOT NULL CHECK (amount_minor > 0),
    currency            TEXT   NOT NULL,
    merchant_name       TEXT   NOT NULL,
    merchant_city       TEXT   NOT NULL,
    merchant_country    TEXT   NOT NULL,
    description         TEXT,
    url_merchant_app    TEXT   NOT NULL,
    status              TEXT   NOT NULL CHECK (status IN ('PENDING', 'ACCEPTED', 'REJECTED', 'EXPIRED')),
    expiry_time         BIGINT NOT NULL,
    mastercard_action_id BIGINT REFERENCES mastercard_actions (id),
    created             BIGINT NOT NULL,
    updated             BIGINT NOT NULL
);
CREATE INDEX challenge_requests_by_user ON challenge_requests (user_id, id);

-- Durable timers of cards, on the virtual clock. A timer is taken and applied in one
-- transaction (deleted there), so it runs once; `expect` is the state it was set for, and a
-- subject that has moved on makes it a no-op.
CREATE TABLE card_timers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT   NOT NULL CHECK (kind IN ('ORDER_STEP', 'CVC2_EXPIRY', 'CHALLENGE_EXPIRY')),
    subject_id BIGINT NOT NULL,
    expect     TEXT   NOT NULL,
    run_at     BIGINT NOT NULL,
    created    BIGINT NOT NULL
);
CREATE INDEX card_timers_due ON card_timers (run_at, id);
