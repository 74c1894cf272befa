-- Reports: drafts being filled in, submitted reports with their seizure items and photos,
-- and every version of every report. Timestamps are ISO-8601 text in UTC, quantities are
-- exact decimals as text, answers are JSON text; SQL kept to what PostgreSQL also accepts.

-- One draft per user: the report being filled in. draft_id is minted when the draft starts
-- and becomes the report's idempotency key when it is submitted.
CREATE TABLE drafts (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id),
    draft_id    TEXT    NOT NULL UNIQUE,
    form        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX drafts_updated_at ON drafts (updated_at);

CREATE TABLE reports (
    id                INTEGER PRIMARY KEY,
    number            TEXT    NOT NULL UNIQUE,
    form              TEXT    NOT NULL,
    form_code         TEXT    NOT NULL,
    year              INTEGER NOT NULL,
    seq               INTEGER NOT NULL CHECK (seq > 0),
    idempotency_key   TEXT    NOT NULL UNIQUE,
    unit_id           INTEGER NOT NULL REFERENCES units (id),
    author_id         INTEGER NOT NULL REFERENCES users (id),
    occurred_at       TEXT,
    submitted_at      TEXT    NOT NULL,
    local_day         TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('submitted', 'withdrawn')),
    urgent            INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    version           INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    answers           TEXT    NOT NULL,
    place_text        TEXT,
    latitude          REAL    CHECK (latitude BETWEEN -90 AND 90),
    longitude         REAL    CHECK (longitude BETWEEN -180 AND 180),
    persons_detained  INTEGER CHECK (persons_detained >= 0),
    updated_at        TEXT    NOT NULL,
    UNIQUE (form_code, year, seq)
);
CREATE INDEX reports_submitted_at ON reports (submitted_at);
CREATE INDEX reports_unit_day ON reports (unit_id, local_day);
CREATE INDEX reports_local_day ON reports (local_day);
CREATE INDEX reports_author_submitted ON reports (author_id, submitted_at);

CREATE TABLE seizure_items (
    id                   INTEGER PRIMARY KEY,
    report_id            INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    position             INTEGER NOT NULL,
    substance            TEXT    NOT NULL,
    quantity             TEXT    NOT NULL,
    measure              TEXT    NOT NULL
        CHECK (measure IN ('g', 'kg', 'ml', 'l', 'tablets', 'pieces')),
    normalized_quantity  TEXT    NOT NULL,
    normalized_unit      TEXT    NOT NULL
        CHECK (normalized_unit IN ('kg', 'l', 'tablets', 'pieces')),
    UNIQUE (report_id, position)
);
CREATE INDEX seizure_items_substance ON seizure_items (substance);

CREATE TABLE attachments (
    id              INTEGER PRIMARY KEY,
    report_id       INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT    NOT NULL DEFAULT 'photo',
    file_id         TEXT    NOT NULL,
    file_unique_id  TEXT    NOT NULL,
    UNIQUE (report_id, position)
);

-- Every version of a report, the current one included. idempotency_key is the amend draft's
-- id (NULL for version 1, whose key is the report's own), so an amendment is applied once.
CREATE TABLE report_versions (
    id               INTEGER PRIMARY KEY,
    report_id        INTEGER NOT NULL REFERENCES reports (id),
    version          INTEGER NOT NULL CHECK (version >= 1),
    answers          TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    created_by       INTEGER REFERENCES users (id),
    idempotency_key  TEXT    UNIQUE,
    UNIQUE (report_id, version)
);
