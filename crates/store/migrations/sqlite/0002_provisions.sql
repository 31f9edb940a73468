-- OAuth clients, provisions with their credentials and history, and the job queue that
-- carries provisions through their asynchronous steps.

CREATE TABLE oauth_clients (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT  NOT NULL REFERENCES users (id),
    status       TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'CANCELLED', 'CANCELLED_PENDING')),
    display_name TEXT,
    client_id    TEXT    NOT NULL UNIQUE,
    -- bunq shows the secret on every read of the client, so it is kept readable.
    secret       TEXT    NOT NULL,
    created      BIGINT  NOT NULL,
    updated      BIGINT  NOT NULL
);
CREATE INDEX oauth_clients_by_user ON oauth_clients (user_id, id);

CREATE TABLE oauth_callback_urls (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    oauth_client_id BIGINT  NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    url             TEXT    NOT NULL,
    created         BIGINT  NOT NULL,
    updated         BIGINT  NOT NULL
);
CREATE INDEX oauth_callback_urls_by_client ON oauth_callback_urls (oauth_client_id, id);

CREATE TABLE provisions (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id             BIGINT  NOT NULL REFERENCES users (id),
    external_uuid          TEXT    NOT NULL,
    user_verified_type     TEXT    NOT NULL CHECK (user_verified_type IN ('PARTNER_USER_PERSON', 'PARTNER_USER_COMPANY')),
    email                  TEXT,
    phone_number           TEXT,
    products               TEXT    NOT NULL,
    director_provision_id  BIGINT  REFERENCES provisions (id),
    date_of_birth          TEXT,
    country_of_residence   TEXT,
    status                 TEXT    NOT NULL CHECK (status IN ('CREATED', 'ACTIVE', 'CANCELLED', 'FAILED', 'CLOSED', 'TOKEN_RESET_REQUESTED')),
    sub_status             TEXT    NOT NULL CHECK (sub_status IN ('NONE', 'PENDING_PROCESS_USER', 'PENDING_PROCESS_RELATION_USER', 'PENDING_PROCESS_OAUTH_REQUEST', 'PENDING_PROCESS_USER_ONBOARDING', 'PENDING_PROCESS_CLOSURE', 'PENDING_PROCESS_TOKEN_RESET')),
    action_required        TEXT    NOT NULL CHECK (action_required IN ('NONE', 'USER', 'SYSTEM')),
    -- Where a token reset returns to, while one is in progress.
    reset_resume           TEXT    CHECK (reset_resume IN ('ONBOARDING', 'ACTIVE')),
    -- The provisioned bunq user, once created; and the UserApiKey it grants the partner.
    user_id                BIGINT  REFERENCES users (id),
    api_key_user_id        BIGINT  REFERENCES users (id),
    -- The accepted OAuth request, once processed.
    oauth_uuid             TEXT,
    oauth_client_id        BIGINT,
    oauth_callback_url     TEXT,
    oauth_code             TEXT,
    oauth_created          BIGINT,
    -- The current credential; null before it is issued and after closure.
    credential_id          BIGINT,
    created                BIGINT  NOT NULL,
    updated                BIGINT  NOT NULL,
    UNIQUE (partner_id, external_uuid)
);
CREATE INDEX provisions_by_partner ON provisions (partner_id, id);

CREATE TABLE credentials (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    provision_id     BIGINT  NOT NULL REFERENCES provisions (id),
    token_hash       TEXT    NOT NULL UNIQUE,
    -- Shown to the partner until first use or expiry, then null (spec D.8).
    token_value      TEXT,
    status           TEXT    NOT NULL CHECK (status IN ('PENDING_FIRST_USE', 'ACTIVE', 'EXPIRED', 'REVOKED')),
    expiry_time      BIGINT  NOT NULL,
    permitted_device TEXT,
    created          BIGINT  NOT NULL,
    updated          BIGINT  NOT NULL
);
CREATE INDEX credentials_by_provision ON credentials (provision_id);

-- Append-only: every transition and credential event of a provision.
CREATE TABLE provision_history (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    provision_id    BIGINT  NOT NULL REFERENCES provisions (id),
    at              BIGINT  NOT NULL,
    from_status     TEXT,
    from_sub_status TEXT,
    to_status       TEXT    NOT NULL,
    to_sub_status   TEXT    NOT NULL,
    cause           TEXT    NOT NULL
);
CREATE INDEX provision_history_by_provision ON provision_history (provision_id, id);

-- Background work. A job is claimed with a lease (locked_by, locked_until); finishing it and
-- applying its step happen in one transaction, so a crash repeats a step at most as a no-op.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL CHECK (kind IN ('ADVANCE', 'EXPIRE_CREDENTIAL')),
    provision_id BIGINT  NOT NULL REFERENCES provisions (id),
    -- The state the job was scheduled for; a provision that has moved on makes it a no-op.
    expect_status     TEXT,
    expect_sub_status TEXT,
    run_at       BIGINT  NOT NULL,
    locked_by    TEXT,
    locked_until BIGINT,
    created      BIGINT  NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at, id);
