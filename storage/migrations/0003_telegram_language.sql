-- The language Telegram last reported for each user, so that messages the bot sends on its own
-- (reminders, digests, notices) use it when the user never chose one with /language.
ALTER TABLE users ADD COLUMN telegram_language TEXT;
