-- The sandbox's virtual clock: how far provisio's "now" runs ahead of the system clock, in
-- microseconds. One row, shared by every process on this database; it only grows.
CREATE TABLE sandbox_clock (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    offset_micros BIGINT  NOT NULL
);

INSERT INTO sandbox_clock (id, offset_micros) VALUES (1, 0);
