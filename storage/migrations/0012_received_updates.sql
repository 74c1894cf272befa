-- Webhook mode: every update Telegram posted, recorded before the bot answers 200 (Telegram
-- forgets an update once it got its 200). The update is applied from this record and marked
-- handled once its processing ended; one still unhandled at start-up (the process died in
-- between) is applied then. A handled row keeps its update_id only (the payload is cleared),
-- so that a repeat of the same update_id is recognised; rows older than any redelivery are
-- pruned. start_replays counts the starts that applied it from here: an update that took the
-- process down with it every time is set aside after a few instead of stopping every start.
CREATE TABLE received_updates (
    update_id    BIGINT  NOT NULL PRIMARY KEY,
    payload      TEXT,
    received_at  TEXT    NOT NULL,
    handled_at   TEXT,
    start_replays INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX received_updates_handled_at ON received_updates (handled_at);
