-- Members of Herald rooms, users' push rules (Matrix format) and pushers (Matrix /pushers/set format).
CREATE TABLE room_member (
    room_key     VARCHAR(128) NOT NULL REFERENCES room (room_key) ON DELETE CASCADE,
    user_id      VARCHAR(255) NOT NULL,
    display_name VARCHAR(255),
    power_level  BIGINT       NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (room_key, user_id)
);
CREATE INDEX room_member_user ON room_member (user_id);

-- User-defined push rules: one row per rule; position 0 is the most important rule of its kind.
-- body is the rule as GET /pushrules/global/{kind}/{ruleId} shows it (rule_id, default, enabled, actions, ...).
CREATE TABLE push_rule (
    user_id  VARCHAR(255) NOT NULL,
    kind     VARCHAR(16)  NOT NULL CHECK (kind IN ('override', 'content', 'room', 'sender', 'underride')),
    rule_id  VARCHAR(255) NOT NULL,
    position INT          NOT NULL,
    body     TEXT         NOT NULL,
    PRIMARY KEY (user_id, kind, rule_id)
);

-- A user's changes to server-default rules (PUT .../enabled, PUT .../actions); NULL = unchanged.
CREATE TABLE push_rule_override (
    user_id VARCHAR(255) NOT NULL,
    kind    VARCHAR(16)  NOT NULL,
    rule_id VARCHAR(255) NOT NULL,
    enabled BOOLEAN,
    actions TEXT,
    PRIMARY KEY (user_id, kind, rule_id)
);

CREATE TABLE pusher (
    user_id             VARCHAR(255) NOT NULL,
    app_id              VARCHAR(64)  NOT NULL,
    pushkey             VARCHAR(512) NOT NULL,
    kind                VARCHAR(32)  NOT NULL,
    app_display_name    TEXT         NOT NULL,
    device_display_name TEXT         NOT NULL,
    profile_tag         TEXT,
    lang                VARCHAR(64)  NOT NULL,
    data                TEXT         NOT NULL,
    pushkey_ts          BIGINT       NOT NULL,
    PRIMARY KEY (user_id, app_id, pushkey)
);
CREATE INDEX pusher_app_pushkey ON pusher (app_id, pushkey);
