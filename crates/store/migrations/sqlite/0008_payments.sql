-- Payments: one row per account a payment touches (negative on the payer, positive on the
-- payee), each with the balance it left. A payment between two accounts held here is two rows
-- with the same transfer_id, written in one transaction with both balance changes.

CREATE TABLE payments (
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
    type                TEXT    NOT NULL CHECK (type IN ('BUNQ', 'EBA_SCT')),
    balance_after_minor BIGINT  NOT NULL CHECK (balance_after_minor >= 0),
    created             BIGINT  NOT NULL
);
CREATE INDEX payments_by_account ON payments (monetary_account_id, id);
-- The daily limit sums today's outgoing payments of one account.
CREATE INDEX payments_by_account_time ON payments (monetary_account_id, created);
CREATE INDEX payments_by_transfer ON payments (transfer_id);
