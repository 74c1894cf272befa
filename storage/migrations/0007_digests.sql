-- The digest's bookkeeping: which digest each report belongs to, each run, each delivery.
-- A report belongs to the first digest run whose day is on or after its own day.
ALTER TABLE reports ADD COLUMN digest_day TEXT;
CREATE INDEX reports_digest_day ON reports (digest_day);

CREATE TABLE digest_runs (
    day         TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    stats       TEXT
);

CREATE TABLE digest_deliveries (
    day              TEXT    NOT NULL REFERENCES digest_runs (day),
    chat_id          BIGINT  NOT NULL,
    language         TEXT    NOT NULL,
    is_group         INTEGER NOT NULL DEFAULT 0 CHECK (is_group IN (0, 1)),
    status           TEXT    NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'sent', 'blocked', 'failed')),
    parts_sent       INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT    NOT NULL,
    sent_at          TEXT,
    error            TEXT,
    PRIMARY KEY (day, chat_id)
);
CREATE INDEX digest_deliveries_pending ON digest_deliveries (status, next_attempt_at);

CREATE TABLE reminders (
    day      TEXT    NOT NULL,
    user_id  INTEGER NOT NULL REFERENCES users (id),
    sent_at  TEXT    NOT NULL,
    PRIMARY KEY (day, user_id)
);
