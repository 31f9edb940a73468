-- Sandbox users (POST /v1/sandbox-user-person, -company): partners remembered as the bunq user
-- they stand for, and the pointers (aliases) that name users held here besides their IBANs.

-- PERSON or COMPANY for a partner created as a sandbox user, and for the well-known users
-- (sugardaddy@bunq.com, bravo@bunq.com); NULL for every other user.
ALTER TABLE users ADD COLUMN sandbox_kind TEXT CHECK (sandbox_kind IN ('PERSON', 'COMPANY'));

-- EMAIL and PHONE_NUMBER pointers: each names one user, and through it that user's primary
-- (oldest ACTIVE) account. Values are stored in one form (email lower case, phone E.164).
CREATE TABLE aliases (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT  NOT NULL REFERENCES users (id),
    type    TEXT    NOT NULL CHECK (type IN ('EMAIL', 'PHONE_NUMBER')),
    value   TEXT    NOT NULL,
    created BIGINT  NOT NULL,
    UNIQUE (type, value)
);
CREATE INDEX aliases_by_user ON aliases (user_id, id);
