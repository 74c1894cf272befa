-- Every update applied once. Telegram forgets an update only when the next getUpdates
-- confirms it, so a process that dies between applying an update and that call gets it
-- again after the restart. Each state change records the update that made it (a message's
-- chat and id, a callback query's id) in the same transaction; a repeat finds its key here.
-- Telegram keeps unconfirmed updates for 24 hours: older rows are pruned.
CREATE TABLE applied_updates (
    update_key  TEXT  NOT NULL PRIMARY KEY,
    applied_at  TEXT  NOT NULL
);
CREATE INDEX applied_updates_applied_at ON applied_updates (applied_at);

-- The step of the draft the person last saw (see bot/forms/engine.py, Draft.step) and the
-- message that showed it, if it was a new message: a typed answer counts only for a question
-- the person was shown, typed after it was (message ids of a private chat grow with time).
-- shown_step NULL: a draft from before this migration (its answers apply as they always did);
-- -1: nothing shown yet.
ALTER TABLE drafts ADD COLUMN shown_step INTEGER;
ALTER TABLE drafts ADD COLUMN shown_message_id BIGINT;
