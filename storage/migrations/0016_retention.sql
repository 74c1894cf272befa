-- Retention (RETENTION_DAYS, bot/retention.py): personal data is removed from reports older
-- than the period, the figures stay. A report records that it was done, when, after how many
-- days, and which of its answers went (option keys of bot/forms/definitions.py, joined by
-- commas; '' when it had none of them), so that every view can say "removed" where they were.
-- NULL personal_removed_at: nothing removed yet. SQL kept to what PostgreSQL also accepts.
ALTER TABLE reports ADD COLUMN personal_removed_at TEXT;
ALTER TABLE reports ADD COLUMN personal_removed_after INTEGER
    CHECK (personal_removed_after IS NULL OR personal_removed_after > 0);
ALTER TABLE reports ADD COLUMN personal_removed_fields TEXT;

-- The reports a run still has to look at, oldest first, without reading those done before.
CREATE INDEX reports_personal_kept ON reports (submitted_at) WHERE personal_removed_at IS NULL;

-- When a person's access was suspended (NULL while active): their name and username are
-- dropped once that is longer ago than the period. Existing blocked accounts take the time of
-- the latest "user.blocked" audit entry about them, else their last change (the best known).
ALTER TABLE users ADD COLUMN blocked_at TEXT;
UPDATE users SET blocked_at = COALESCE(
    (SELECT MAX(a.at) FROM audit_log a
     WHERE a.action = 'user.blocked' AND a.target = CAST(users.telegram_id AS TEXT)),
    updated_at
) WHERE status = 'blocked';
