-- Message templates (Qute) of Alertmanager and named generic webhooks; a missing one is the built-in default.
CREATE TABLE templates (
    name       text PRIMARY KEY,
    subject    text,
    body       text NOT NULL,
    html       text,
    priority   text,
    mentions   text,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The notification of an alert's firing, per fingerprint: its resolution edits that message (m.replace). The first
-- firing of an alert (fingerprint and startsAt) is kept; Alertmanager's repeats do not replace it.
CREATE TABLE alert_messages (
    tenant          text NOT NULL,
    room            text NOT NULL,
    fingerprint     text NOT NULL,
    starts_at       text NOT NULL,
    notification_id text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, room, fingerprint, starts_at)
);
CREATE INDEX alert_messages_created_at ON alert_messages (created_at);
