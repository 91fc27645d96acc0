-- What happened on each attempt, kept with the delivery's log entry (JSON array of {at, status, outcome, detail}).
ALTER TABLE delivery_log ADD COLUMN history TEXT;

-- Dead letters: the delivery as it was on Kafka, why it died, and every attempt. Replayable, purgeable.
CREATE TABLE dead_letter (
    delivery_id      VARCHAR(64)   PRIMARY KEY,
    notification_id  VARCHAR(255),
    room_key         VARCHAR(128),
    destination      VARCHAR(4096) NOT NULL,
    destination_kind VARCHAR(16)   NOT NULL,
    payload          TEXT          NOT NULL,
    reason           TEXT          NOT NULL,
    last_status      INTEGER,
    attempts         INTEGER       NOT NULL,
    history          TEXT,
    dead_at          TIMESTAMPTZ   NOT NULL DEFAULT now()
);
CREATE INDEX dead_letter_room ON dead_letter (room_key);
CREATE INDEX dead_letter_dead_at ON dead_letter (dead_at);

-- Destinations whose deliveries wait in the retry topic: later deliveries to them follow, so their order holds.
CREATE TABLE parked_destination (
    destination VARCHAR(4096) PRIMARY KEY,
    parked      INTEGER       NOT NULL,
    since       TIMESTAMPTZ   NOT NULL DEFAULT now()
);

-- Optional password for automatic re-login after M_UNKNOWN_TOKEN (encrypted like the token).
ALTER TABLE matrix_account ADD COLUMN password_enc TEXT;
