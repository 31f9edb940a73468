-- OAuth for people who already bank here (issue 19): the authorization codes the consent page
-- hands out, and the grants they are exchanged for. A grant's access token is an API key: like
-- a provision's credential it registers a device and opens sessions as its own UserApiKey user
-- (requested by the client's partner, granted by the consenting user). Secrets are stored as
-- SHA-256 hex only.

CREATE TABLE oauth_codes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    code_hash       TEXT    NOT NULL UNIQUE,
    oauth_client_id BIGINT  NOT NULL REFERENCES oauth_clients (id),
    -- The consenting user.
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    redirect_uri    TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    -- On the virtual clock; a code works once (used is set by its exchange).
    expires_at      BIGINT  NOT NULL,
    used            BIGINT,
    created         BIGINT  NOT NULL
);

CREATE TABLE oauth_grants (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    oauth_client_id BIGINT  NOT NULL REFERENCES oauth_clients (id),
    -- The consenting user, and the UserApiKey it grants the client's partner.
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    api_key_user_id BIGINT  NOT NULL REFERENCES users (id),
    token_hash      TEXT    NOT NULL UNIQUE,
    status          TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'REVOKED')),
    created         BIGINT  NOT NULL,
    updated         BIGINT  NOT NULL
);
CREATE INDEX oauth_grants_by_client ON oauth_grants (oauth_client_id, id);
CREATE INDEX oauth_grants_by_user ON oauth_grants (user_id, id);

-- A device is registered with a partner API key, a provision's credential or an OAuth grant.
ALTER TABLE devices ADD COLUMN oauth_grant_id BIGINT;
CREATE INDEX devices_by_installation_grant ON devices (installation_id, oauth_grant_id);
