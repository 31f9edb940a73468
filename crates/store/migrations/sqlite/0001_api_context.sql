-- The API context: the server's key, partners (users), API keys, installations, devices, sessions.
-- Times are microseconds since the Unix epoch (UTC); secrets are stored as SHA-256 hex only.

CREATE TABLE server_key (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    private_key_pkcs8 BLOB    NOT NULL,
    created           BIGINT  NOT NULL
);

-- One id space for every kind of user, so a {userId} path segment is never ambiguous:
-- partners (UserCompany), provisioned users (UserPerson / UserCompany) and the UserApiKey a
-- provisioned user grants its partner.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL CHECK (kind IN ('PARTNER', 'PERSON', 'COMPANY', 'API_KEY')),
    public_uuid     TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    session_timeout BIGINT  NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CLOSED')),
    -- For provisioned users and API-key users: the partner that provisioned them.
    partner_id      BIGINT  REFERENCES users (id),
    -- For API-key users: the provisioned user who granted the key.
    granted_user_id BIGINT  REFERENCES users (id),
    created         BIGINT  NOT NULL,
    updated         BIGINT  NOT NULL
);

CREATE TABLE api_keys (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id  BIGINT  NOT NULL REFERENCES users (id),
    key_hash TEXT    NOT NULL UNIQUE,
    created  BIGINT  NOT NULL,
    revoked  BIGINT
);

CREATE TABLE installations (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash        TEXT    NOT NULL UNIQUE,
    client_public_key TEXT    NOT NULL,
    created           BIGINT  NOT NULL,
    updated           BIGINT  NOT NULL
);

CREATE TABLE devices (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    installation_id BIGINT  NOT NULL REFERENCES installations (id),
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    -- A device is registered with a partner API key or with a provision's credential.
    api_key_id      BIGINT  REFERENCES api_keys (id),
    credential_id   BIGINT,
    description     TEXT    NOT NULL,
    ip              TEXT    NOT NULL,
    permitted_ips   TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'BLOCKED', 'NEEDS_CONFIRMATION', 'OBSOLETE')),
    created         BIGINT  NOT NULL,
    updated         BIGINT  NOT NULL
);
CREATE INDEX devices_by_installation_key ON devices (installation_id, api_key_id);
CREATE INDEX devices_by_installation_credential ON devices (installation_id, credential_id);
CREATE INDEX devices_by_user ON devices (user_id, id);

CREATE TABLE sessions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash      TEXT    NOT NULL UNIQUE,
    installation_id BIGINT  NOT NULL REFERENCES installations (id),
    device_id       BIGINT  NOT NULL REFERENCES devices (id),
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    created         BIGINT  NOT NULL,
    updated         BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
