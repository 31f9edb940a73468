-- More ways to pay (issue 25, part 3): payment batches, draft payments and scheduled payments.
-- Each row keeps its account, user, created and updated, so a user's event feed can list them.

-- A batch is its payments, paid in one transaction; the paying side of each carries the batch.
CREATE TABLE payment_batches (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    monetary_account_id BIGINT  NOT NULL REFERENCES monetary_accounts (id),
    user_id             BIGINT  NOT NULL REFERENCES users (id),
    created             BIGINT  NOT NULL,
    updated             BIGINT  NOT NULL
);
CREATE INDEX payment_batches_by_account ON payment_batches (monetary_account_id, id);
ALTER TABLE payments ADD COLUMN payment_batch_id BIGINT;
CREATE INDEX payments_by_batch ON payments (payment_batch_id);

-- A draft waits for its account holder: ACCEPTED pays its entries (as a batch), REJECTED drops it.
CREATE TABLE draft_payments (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    monetary_account_id BIGINT  NOT NULL REFERENCES monetary_accounts (id),
    user_id             BIGINT  NOT NULL REFERENCES users (id),
    status              TEXT    NOT NULL CHECK (status IN ('PENDING', 'ACCEPTED', 'REJECTED')),
    payment_batch_id    BIGINT  REFERENCES payment_batches (id),
    created             BIGINT  NOT NULL,
    updated             BIGINT  NOT NULL
);
CREATE INDEX draft_payments_by_account ON draft_payments (monetary_account_id, id);
CREATE TABLE draft_payment_entries (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_payment_id    BIGINT  NOT NULL REFERENCES draft_payments (id),
    amount_minor        BIGINT  NOT NULL CHECK (amount_minor > 0),
    currency            TEXT    NOT NULL,
    -- The payee as named: its pointer type (IBAN, EMAIL, PHONE_NUMBER) and value, resolved
    -- when the payment is made.
    counterparty_type   TEXT    NOT NULL DEFAULT 'IBAN',
    counterparty_iban   TEXT    NOT NULL,
    counterparty_name   TEXT    NOT NULL,
    description         TEXT    NOT NULL,
    merchant_reference  TEXT
);
CREATE INDEX draft_payment_entries_by_draft ON draft_payment_entries (draft_payment_id, id);

-- A scheduled payment: the payment, its recurrence, and whom it may pay (the profile's rule
-- when it was made: payees a comma-separated list of user ids or NULL for any, external 0/1).
CREATE TABLE payment_schedules (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    monetary_account_id BIGINT  NOT NULL REFERENCES monetary_accounts (id),
    user_id             BIGINT  NOT NULL REFERENCES users (id),
    status              TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'FINISHED', 'CANCELLED')),
    time_start          BIGINT  NOT NULL,
    time_end            BIGINT,
    recurrence_unit     TEXT    NOT NULL
        CHECK (recurrence_unit IN ('ONCE', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY')),
    recurrence_size     BIGINT  NOT NULL CHECK (recurrence_size > 0),
    amount_minor        BIGINT  NOT NULL CHECK (amount_minor > 0),
    currency            TEXT    NOT NULL,
    -- The payee as named: its pointer type (IBAN, EMAIL, PHONE_NUMBER) and value, resolved
    -- when the payment is made.
    counterparty_type   TEXT    NOT NULL DEFAULT 'IBAN',
    counterparty_iban   TEXT    NOT NULL,
    counterparty_name   TEXT    NOT NULL,
    description         TEXT    NOT NULL,
    merchant_reference  TEXT,
    payees              TEXT,
    external            BIGINT  NOT NULL,
    -- Raised by every change: a timer set for an older version is stale and is dropped.
    version             BIGINT  NOT NULL,
    created             BIGINT  NOT NULL,
    updated             BIGINT  NOT NULL
);
CREATE INDEX payment_schedules_by_account ON payment_schedules (monetary_account_id, id);

-- The schedule's next run on the virtual clock, written in the schedule's transaction; the
-- worker deletes a due timer and runs it (and writes the next) in one transaction. A change to
-- the schedule leaves its old timer to be dropped as stale (by version) rather than deleting
-- it, so a change and a run never wait on each other's rows in opposite orders.
CREATE TABLE schedule_timers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id BIGINT  NOT NULL REFERENCES payment_schedules (id),
    occurrence  BIGINT  NOT NULL,
    version     BIGINT  NOT NULL,
    run_at      BIGINT  NOT NULL,
    created     BIGINT  NOT NULL
);
CREATE INDEX schedule_timers_due ON schedule_timers (run_at, id);

-- One run of a schedule: its payment, or why it failed.
CREATE TABLE schedule_instances (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id         BIGINT  NOT NULL REFERENCES payment_schedules (id),
    monetary_account_id BIGINT  NOT NULL REFERENCES monetary_accounts (id),
    user_id             BIGINT  NOT NULL REFERENCES users (id),
    state               TEXT    NOT NULL CHECK (state IN ('FINISHED_SUCCESSFULLY', 'FAILED_USER_ERROR')),
    time_start          BIGINT  NOT NULL,
    time_end            BIGINT  NOT NULL,
    payment_id          BIGINT,
    error_message       TEXT,
    created             BIGINT  NOT NULL,
    updated             BIGINT  NOT NULL
);
CREATE INDEX schedule_instances_by_schedule ON schedule_instances (schedule_id, id);
