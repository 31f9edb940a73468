-- The dashboard's sessions, kept server-side so that signing out ends one and an idle or old
-- one runs out (times are the sandbox clock's, in micros). The cookie carries a random token;
-- only its hash is stored, like every other credential. A reset keeps these rows.
CREATE TABLE dashboard_sessions (
    token_hash TEXT   PRIMARY KEY,
    created    BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL
);
