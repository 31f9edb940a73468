-- Onboarding: one onboarding per provisioned user, and the fulfillments it asks for.

CREATE TABLE onboardings (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT  NOT NULL UNIQUE REFERENCES users (id),
    kind    TEXT    NOT NULL,
    status  TEXT    NOT NULL CHECK (status IN ('CREATED', 'IN_PROGRESS', 'VERIFIED', 'DENIED', 'BLOCKED', 'FROZEN')),
    created BIGINT  NOT NULL,
    updated BIGINT  NOT NULL
);

-- The latest submission of each kind; resubmitting replaces it.
CREATE TABLE fulfillments (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT  NOT NULL REFERENCES users (id),
    kind    TEXT    NOT NULL,
    data    TEXT    NOT NULL,
    created BIGINT  NOT NULL,
    updated BIGINT  NOT NULL,
    UNIQUE (user_id, kind)
);
