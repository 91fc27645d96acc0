-- Matrix accounts Herald posts as. The access token is encrypted (AES-256-GCM, key from config).
CREATE TABLE matrix_account (
    id               VARCHAR(128)  PRIMARY KEY,
    homeserver       VARCHAR(2048) NOT NULL,
    user_id          VARCHAR(255),
    device_id        VARCHAR(255)  NOT NULL,
    access_token_enc TEXT          NOT NULL,
    created_at       TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ   NOT NULL DEFAULT now()
);

-- One row per delivery id: where it went and how it ended.
CREATE TABLE delivery_log (
    delivery_id     VARCHAR(64)   PRIMARY KEY,
    notification_id VARCHAR(255),
    room_key        VARCHAR(128),
    destination     VARCHAR(4096) NOT NULL,
    state           VARCHAR(16)   NOT NULL,
    attempts        INTEGER       NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    matrix_event_id VARCHAR(255),
    created_at      TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ   NOT NULL DEFAULT now()
);
CREATE INDEX delivery_log_notification ON delivery_log (notification_id);
