-- Webhooks: notification filters, the outbox of deliveries and each delivery's attempts.

CREATE TABLE notification_filters (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Whose events: the partner company (PARTNER_USER_PROVISION) or a provisioned user.
    user_id      BIGINT  NOT NULL REFERENCES users (id),
    -- The partner that set a provisioned user's filter (F.5 user_requested_id).
    requested_by BIGINT  REFERENCES users (id),
    category     TEXT    NOT NULL,
    target       TEXT    NOT NULL,
    created      BIGINT  NOT NULL
);
CREATE INDEX notification_filters_by_user ON notification_filters (user_id, category);

-- The outbox: one row per event and target, written in the transaction of the change that
-- caused the event. A delivery that ran out of attempts stays as a FAILED row: that is the
-- NotificationFilterFailure.
CREATE TABLE deliveries (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    event_uuid        TEXT    NOT NULL,
    user_id           BIGINT  NOT NULL REFERENCES users (id),
    user_requested_id BIGINT  REFERENCES users (id),
    category          TEXT    NOT NULL,
    event_type        TEXT    NOT NULL,
    object_id         BIGINT  NOT NULL,
    target            TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    -- Deliveries with the same key go out one at a time, oldest first.
    order_key         TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts          BIGINT  NOT NULL DEFAULT 0,
    -- A failure retried by hand gets one attempt, not a new schedule.
    final_attempt     BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at   BIGINT  NOT NULL,
    locked_by         TEXT,
    locked_until      BIGINT,
    response_code     BIGINT,
    exception_message TEXT,
    created           BIGINT  NOT NULL,
    updated           BIGINT  NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at, id);
CREATE INDEX deliveries_by_order ON deliveries (order_key, status, id);
CREATE INDEX deliveries_by_user ON deliveries (user_id, status, id);

CREATE TABLE delivery_attempts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id   BIGINT  NOT NULL REFERENCES deliveries (id),
    at            BIGINT  NOT NULL,
    response_code BIGINT,
    error         TEXT,
    latency_us    BIGINT  NOT NULL
);
CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id, id);
