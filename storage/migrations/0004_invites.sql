-- Invitations: deep links that register one person with a role and a unit.
-- Only the SHA-256 of the token is stored (64 hex characters); the token itself never is.
-- Timestamps are ISO-8601 text in UTC; SQL kept to what PostgreSQL also accepts.

CREATE TABLE invites (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT    NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    role         TEXT    NOT NULL CHECK (role IN ('officer', 'coordinator', 'admin')),
    unit_id      INTEGER REFERENCES units (id),
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    -- ties the buttons of one /invite message to the invitation they made (a second tap finds it)
    request_key  TEXT    UNIQUE,
    used_at      TEXT,
    used_by      INTEGER REFERENCES users (id),
    revoked_at   TEXT,
    revoked_by   INTEGER REFERENCES users (id),
    CHECK (role <> 'officer' OR unit_id IS NOT NULL),
    CHECK ((used_at IS NULL) = (used_by IS NULL)),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL)),
    CHECK (used_at IS NULL OR revoked_at IS NULL)
);
CREATE INDEX invites_expires_at ON invites (expires_at);
