-- Identity verification, attachments, document identification and compliance inquiries, and
-- the onboarding's own action_required (USER_ONBOARDING_UPDATED fires when it changes).

ALTER TABLE onboardings ADD COLUMN action_required TEXT NOT NULL DEFAULT 'USER'
    CHECK (action_required IN ('NONE', 'USER', 'SYSTEM'));
ALTER TABLE onboardings ADD COLUMN waiting_type TEXT
    CHECK (waiting_type IN ('AUTOMATED', 'MANUAL'));

-- Identity verification sessions (Incode). The review is a REVIEW_IDENTITY job.
CREATE TABLE identity_verifications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT  NOT NULL REFERENCES users (id),
    purpose      TEXT    NOT NULL,
    provider     TEXT    NOT NULL,
    country      TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('CREATED', 'SUBMITTED', 'PROCESSED')),
    -- Handed to the Incode SDK; not a credential of provisio's.
    token        TEXT    NOT NULL,
    external_id  TEXT    NOT NULL,
    result       TEXT    CHECK (result IN ('APPROVED', 'REJECTED')),
    fail_reasons TEXT    NOT NULL DEFAULT '[]',
    created      BIGINT  NOT NULL,
    updated      BIGINT  NOT NULL
);
CREATE INDEX identity_verifications_by_user ON identity_verifications (user_id, id);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT  NOT NULL REFERENCES users (id),
    content_type TEXT    NOT NULL,
    description  TEXT,
    content      BLOB    NOT NULL,
    created      BIGINT  NOT NULL
);
CREATE INDEX attachments_by_user ON attachments (user_id, id);

CREATE TABLE document_identifications (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             BIGINT  NOT NULL REFERENCES users (id),
    document_type       TEXT    NOT NULL,
    country             TEXT    NOT NULL,
    front_attachment_id BIGINT  NOT NULL REFERENCES attachments (id),
    back_attachment_id  BIGINT  REFERENCES attachments (id),
    created             BIGINT  NOT NULL
);

CREATE TABLE inquiries (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             BIGINT  NOT NULL REFERENCES users (id),
    purpose             TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('EXPECTING_REPLY_FROM_USER', 'EXPECTING_REPLY_FROM_BUNQ', 'FINALIZED')),
    title               TEXT    NOT NULL,
    subtitle            TEXT    NOT NULL,
    external_model_name TEXT    NOT NULL,
    time_expiry         BIGINT,
    created             BIGINT  NOT NULL,
    updated             BIGINT  NOT NULL
);
CREATE INDEX inquiries_by_user ON inquiries (user_id, id);

CREATE TABLE inquiry_entries (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    inquiry_id     BIGINT  NOT NULL REFERENCES inquiries (id),
    kind           TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('PENDING', 'SUBMITTED', 'WAITING_FOR_REVIEW', 'AUTO_APPROVED', 'AUTO_REJECTED', 'APPROVED', 'REJECTED', 'CANCELLED')),
    description    TEXT    NOT NULL,
    data_submitted TEXT    NOT NULL DEFAULT '[]',
    context        TEXT    NOT NULL DEFAULT '{}',
    reject_reason  TEXT,
    created        BIGINT  NOT NULL,
    updated        BIGINT  NOT NULL
);
CREATE INDEX inquiry_entries_by_inquiry ON inquiry_entries (inquiry_id, id);

-- A new job kind; SQLite changes a CHECK only by rebuilding the table.
CREATE TABLE jobs_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL CHECK (kind IN ('ADVANCE', 'EXPIRE_CREDENTIAL', 'REVIEW_IDENTITY')),
    provision_id BIGINT  NOT NULL REFERENCES provisions (id),
    expect_status     TEXT,
    expect_sub_status TEXT,
    run_at       BIGINT  NOT NULL,
    locked_by    TEXT,
    locked_until BIGINT,
    created      BIGINT  NOT NULL
);
INSERT INTO jobs_new (id, kind, provision_id, expect_status, expect_sub_status, run_at, locked_by, locked_until, created)
    SELECT id, kind, provision_id, expect_status, expect_sub_status, run_at, locked_by, locked_until, created FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_due ON jobs (run_at, id);
