-- The user's event feed (GET /user/{id}/event), notes on payments, notification filters
-- on one monetary account, public attachments and avatars.

-- One row per thing that happened to a user's object, written in the transaction of the
-- change. `object_kind` is bunq's object key (`Payment`, `MasterCardAction`, …): an open set,
-- rendered by looking the object up by kind and id.
CREATE TABLE events (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             BIGINT  NOT NULL REFERENCES users (id),
    monetary_account_id BIGINT,
    object_kind         TEXT    NOT NULL,
    object_id           BIGINT  NOT NULL,
    action              TEXT    NOT NULL CHECK (action IN ('CREATE', 'UPDATE')),
    status              TEXT    NOT NULL CHECK (status IN ('FINALIZED', 'AWAITING_REPLY')),
    display_user_event  BIGINT  NOT NULL DEFAULT 1 CHECK (display_user_event IN (0, 1)),
    created             BIGINT  NOT NULL,
    updated             BIGINT  NOT NULL
);
CREATE INDEX events_by_user ON events (user_id, id);

-- A payment's notes (NoteTextPayment), kept per payment side.
CREATE TABLE payment_notes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id BIGINT  NOT NULL REFERENCES payments (id),
    user_id    BIGINT  NOT NULL REFERENCES users (id),
    content    TEXT    NOT NULL,
    created    BIGINT  NOT NULL,
    updated    BIGINT  NOT NULL
);
CREATE INDEX payment_notes_by_payment ON payment_notes (payment_id, id);

-- A filter set on one account (…/monetary-account/{id}/notification-filter-url) carries the
-- account; a user's own filters have none.
ALTER TABLE notification_filters ADD COLUMN monetary_account_id BIGINT;

-- Public attachments (AttachmentPublic): images named by a UUID, readable with any session;
-- an avatar is a UUID of its own for one of them.
CREATE TABLE public_attachments (
    uuid         TEXT    PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id),
    content_type TEXT    NOT NULL,
    description  TEXT,
    content      BLOB    NOT NULL,
    created      BIGINT  NOT NULL
);
CREATE TABLE avatars (
    uuid            TEXT    PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    attachment_uuid TEXT    NOT NULL REFERENCES public_attachments (uuid),
    created         BIGINT  NOT NULL
);
