-- Units, users, the audit log, PTB's persisted state, and the 13 mobile-team units.
-- Timestamps are ISO-8601 text in UTC; SQL kept to what PostgreSQL also accepts.

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL CHECK (kind IN ('IMT', 'BLO')),
    name_uz     TEXT    NOT NULL,
    name_ru     TEXT    NOT NULL,
    name_en     TEXT    NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TEXT    NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    telegram_id   BIGINT  NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL DEFAULT '',
    username      TEXT,
    role          TEXT    NOT NULL CHECK (role IN ('officer', 'coordinator', 'admin')),
    unit_id       INTEGER REFERENCES units (id),
    language      TEXT    CHECK (language IN ('uz', 'ru', 'en')),
    status        TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX users_unit ON users (unit_id);

CREATE TABLE audit_log (
    id                 INTEGER PRIMARY KEY,
    at                 TEXT    NOT NULL,
    actor_telegram_id  BIGINT,
    action             TEXT    NOT NULL,
    target             TEXT,
    details            TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);

-- python-telegram-bot's own state (conversations, user/chat/bot data), as JSON.
CREATE TABLE ptb_state (
    kind   TEXT NOT NULL CHECK (kind IN ('user', 'chat', 'bot', 'callback')),
    key    TEXT NOT NULL,
    data   TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);

CREATE TABLE ptb_conversations (
    name   TEXT NOT NULL,
    key    TEXT NOT NULL,
    state  TEXT NOT NULL,
    PRIMARY KEY (name, key)
);

INSERT INTO units (code, kind, name_uz, name_ru, name_en, active, created_at) VALUES
    ('IMT-AND', 'IMT', 'Andijon',   'Андижан',   'Andijan',   1, '2026-01-01T00:00:00+00:00'),
    ('IMT-BUK', 'IMT', 'Buxoro',    'Бухара',    'Bukhara',   1, '2026-01-01T00:00:00+00:00'),
    ('IMT-JIZ', 'IMT', 'Jizzax',    'Джизак',    'Jizzakh',   1, '2026-01-01T00:00:00+00:00'),
    ('IMT-KAR', 'IMT', 'Qarshi',    'Карши',     'Karshi',    1, '2026-01-01T00:00:00+00:00'),
    ('IMT-NAM', 'IMT', 'Namangan',  'Наманган',  'Namangan',  1, '2026-01-01T00:00:00+00:00'),
    ('IMT-NAV', 'IMT', 'Navoiy',    'Навои',     'Navoi',     1, '2026-01-01T00:00:00+00:00'),
    ('IMT-URG', 'IMT', 'Urganch',   'Ургенч',    'Urgench',   1, '2026-01-01T00:00:00+00:00'),
    ('IMT-TAS', 'IMT', 'Toshkent',  'Ташкент',   'Tashkent',  1, '2026-01-01T00:00:00+00:00'),
    ('IMT-SAM', 'IMT', 'Samarqand', 'Самарканд', 'Samarkand', 1, '2026-01-01T00:00:00+00:00'),
    ('IMT-NUK', 'IMT', 'Nukus',     'Нукус',     'Nukus',     1, '2026-01-01T00:00:00+00:00'),
    ('IMT-TER', 'IMT', 'Termiz',    'Термез',    'Termez',    1, '2026-01-01T00:00:00+00:00'),
    ('IMT-FER', 'IMT', 'Farg‘ona',  'Фергана',   'Fergana',   1, '2026-01-01T00:00:00+00:00'),
    ('IMT-SIR', 'IMT', 'Sirdaryo',  'Сырдарья',  'Syrdarya',  1, '2026-01-01T00:00:00+00:00');
