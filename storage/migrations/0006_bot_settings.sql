-- Settings admins change in the chat (the coordination group now; digest and reminder times
-- later), kept in the database so every replica and every restart sees the same values.
CREATE TABLE bot_settings (
    key         TEXT   PRIMARY KEY,
    value       TEXT   NOT NULL,
    updated_at  TEXT   NOT NULL,
    updated_by  BIGINT
);
