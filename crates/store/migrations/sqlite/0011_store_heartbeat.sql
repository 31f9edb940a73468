-- The readiness probe's write: `GET /_provisio/ready` bumps this one row through the write
-- path, so a database that reads but cannot write (a read-only file or user, a standby, a held
-- lock) is reported not ready instead of answering every write with an error.
CREATE TABLE store_heartbeat (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    beats BIGINT  NOT NULL
);

INSERT INTO store_heartbeat (id, beats) VALUES (1, 0);
