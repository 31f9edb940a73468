-- Idempotent retries by X-Bunq-Client-Request-Id (see crates/store/src/idempotency.rs). A
-- write that opted in claims its key here in the transaction that moves the money, so a commit
-- whose answer was lost has its key exactly when it happened. `request_key` hashes the caller's
-- credential, the request id, the method and the path; `body_hash` the body; `answer` names
-- what the first request made ('' when it made nothing). Kept a day on the virtual clock.
CREATE TABLE idempotency_keys (
    request_key TEXT PRIMARY KEY,
    body_hash TEXT NOT NULL,
    answer TEXT NOT NULL,
    created BIGINT NOT NULL
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created);
