-- The urgent lane: one alert per urgent report, each round of sending it to each recipient,
-- every copy sent (so that all can be edited once it is acknowledged), coordinators'
-- questions with the officers' answers, and the one typed step a person may have pending.
-- Timestamps are ISO-8601 text in UTC; SQL kept to what PostgreSQL also accepts.

-- report_id is UNIQUE: a retried submit finds the alert already there and never alerts twice.
-- repeats counts the rounds sent after the first; last_sent_at is when the latest round began.
CREATE TABLE alerts (
    id               INTEGER PRIMARY KEY,
    report_id        INTEGER NOT NULL UNIQUE REFERENCES reports (id),
    reason           TEXT    NOT NULL CHECK (reason IN ('marked', 'large', 'marked_large')),
    created_at       TEXT    NOT NULL,
    acknowledged_by  INTEGER REFERENCES users (id),
    acknowledged_at  TEXT,
    repeats          INTEGER NOT NULL DEFAULT 0 CHECK (repeats >= 0),
    last_sent_at     TEXT,
    CHECK ((acknowledged_by IS NULL) = (acknowledged_at IS NULL))
);
CREATE INDEX alerts_open ON alerts (acknowledged_at);

-- Who is to receive which round (0 = the first sending): a coordinator (user_id) or the bound
-- group (user_id NULL). A delivery stays 'pending' until it is sent, refused for good
-- ('blocked': the person blocked the bot; 'failed'), or overtaken by a newer round.
-- lease_until: a sender claimed it until then, so two senders never send the same copy.
CREATE TABLE alert_deliveries (
    alert_id     INTEGER NOT NULL REFERENCES alerts (id),
    round_no     INTEGER NOT NULL CHECK (round_no >= 0),
    chat_id      BIGINT  NOT NULL,
    user_id      INTEGER REFERENCES users (id),
    status       TEXT    NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'sent', 'blocked', 'failed', 'superseded')),
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    lease_until  TEXT,
    PRIMARY KEY (alert_id, round_no, chat_id)
);
CREATE INDEX alert_deliveries_status ON alert_deliveries (status, alert_id);

-- Every copy of an alert that reached a chat.
CREATE TABLE alert_messages (
    alert_id    INTEGER NOT NULL REFERENCES alerts (id),
    chat_id     BIGINT  NOT NULL,
    message_id  BIGINT  NOT NULL,
    PRIMARY KEY (alert_id, chat_id, message_id)
);

CREATE TABLE alert_questions (
    id              INTEGER PRIMARY KEY,
    alert_id        INTEGER NOT NULL REFERENCES alerts (id),
    coordinator_id  INTEGER NOT NULL REFERENCES users (id),
    question        TEXT    NOT NULL CHECK (length(question) BETWEEN 1 AND 1000),
    asked_at        TEXT    NOT NULL,
    answer          TEXT    CHECK (answer IS NULL OR length(answer) BETWEEN 1 AND 1000),
    answered_at     TEXT,
    CHECK ((answer IS NULL) = (answered_at IS NULL))
);
CREATE INDEX alert_questions_alert ON alert_questions (alert_id);

-- The typed step somebody was asked for and has not sent yet: a coordinator's question about
-- an alert, or an officer's answer to a question. One per person; a new one replaces it.
CREATE TABLE pending_replies (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('question', 'answer')),
    alert_id     INTEGER NOT NULL REFERENCES alerts (id),
    question_id  INTEGER REFERENCES alert_questions (id),
    created_at   TEXT    NOT NULL,
    CHECK ((kind = 'answer') = (question_id IS NOT NULL))
);
