-- Crossing points of the border liaison offices: the places an officer can pick when filing.
-- A removed point is kept, marked inactive, because reports filed earlier may name it; adding
-- the same name again brings it back. SQL kept to what PostgreSQL also accepts.

CREATE TABLE crossing_points (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TEXT    NOT NULL,
    UNIQUE (unit_id, name)
);
