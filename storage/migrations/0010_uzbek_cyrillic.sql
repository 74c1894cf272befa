-- Uzbek in Cyrillic script ('uz_Cyrl') joins the languages a person may choose.
--
-- SQLite cannot change a CHECK constraint in place, so the users table is made again with the
-- same columns, rows and ids. Tables that point at users are checked when the migration
-- commits: dropping the old table leaves their rows without a parent for a moment, and putting
-- the same ids back gives each its parent again. (PostgreSQL would drop and add the constraint.)
PRAGMA defer_foreign_keys = ON;

CREATE TABLE users_before_cyrillic AS SELECT * FROM users;
DROP TABLE users;

CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,
    telegram_id        BIGINT  NOT NULL UNIQUE,
    display_name       TEXT    NOT NULL DEFAULT '',
    username           TEXT,
    role               TEXT    NOT NULL CHECK (role IN ('officer', 'coordinator', 'admin')),
    unit_id            INTEGER REFERENCES units (id),
    language           TEXT    CHECK (language IN ('uz', 'uz_Cyrl', 'ru', 'en')),
    status             TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    telegram_language  TEXT
);
INSERT INTO users (
    id, telegram_id, display_name, username, role, unit_id, language, status, created_at,
    updated_at, telegram_language
)
SELECT
    id, telegram_id, display_name, username, role, unit_id, language, status, created_at,
    updated_at, telegram_language
FROM users_before_cyrillic;
DROP TABLE users_before_cyrillic;
CREATE INDEX users_unit ON users (unit_id);
