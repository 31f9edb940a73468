-- Monetary accounts (bunq MonetaryAccountBank / MonetaryAccountExternal), in their own id
-- space. Money is integer minor units (cents), never floating point. Existing partners get no
-- account here; they can open one through the API.

CREATE TABLE monetary_accounts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id            BIGINT  NOT NULL REFERENCES users (id),
    kind               TEXT    NOT NULL CHECK (kind IN ('BANK', 'EXTERNAL')),
    public_uuid        TEXT    NOT NULL UNIQUE,
    currency           TEXT    NOT NULL CHECK (length(currency) = 3),
    description        TEXT    NOT NULL,
    display_name       TEXT    NOT NULL,
    daily_limit_minor  BIGINT  NOT NULL CHECK (daily_limit_minor > 0),
    -- Never negative: no overdraft, whatever the code above the database does.
    balance_minor      BIGINT  NOT NULL DEFAULT 0 CHECK (balance_minor >= 0),
    iban               TEXT    NOT NULL UNIQUE,
    status             TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'BLOCKED', 'CANCELLED', 'PENDING_REOPEN', 'PENDING_ACCEPTANCE', 'PENDING_CLOSURE', 'FROZEN')),
    sub_status         TEXT    NOT NULL CHECK (sub_status IN ('NONE', 'REDEMPTION_VOLUNTARY', 'REDEMPTION_INVOLUNTARY', 'ONLY_ACCEPTING_INCOMING')),
    reason             TEXT,
    reason_description TEXT,
    -- CURRENCY_CLOUD for external accounts.
    service            TEXT,
    created            BIGINT  NOT NULL,
    updated            BIGINT  NOT NULL,
    -- A closed account holds nothing.
    CHECK (status <> 'CANCELLED' OR balance_minor = 0),
    CHECK ((kind = 'EXTERNAL') = (service IS NOT NULL))
);
CREATE INDEX monetary_accounts_by_user ON monetary_accounts (user_id, id);
