-- Parked deliveries: a destination whose deliveries cannot be sent now waits here, in the order its records had on
-- herald.deliveries (partition, offset), until it can. Replaces the retry topic and the parked_destination counter:
-- whether a destination is parked is derived from this table, so it cannot drift.
CREATE TABLE parked_delivery (
    partition    INTEGER       NOT NULL,
    seq          BIGINT        NOT NULL,
    destination  VARCHAR(2048) NOT NULL,
    delivery_id  VARCHAR(64)   NOT NULL,
    payload      TEXT          NOT NULL,
    history      TEXT          NOT NULL,
    parked_at    TIMESTAMPTZ   NOT NULL DEFAULT now(),
    PRIMARY KEY (partition, seq)
);
CREATE INDEX parked_delivery_destination ON parked_delivery (destination, seq);
DROP TABLE parked_destination;

-- Tenant scope of deliveries and dead letters; the order replays keep (when the notification was accepted).
ALTER TABLE delivery_log ADD COLUMN tenant VARCHAR(128);
ALTER TABLE dead_letter ADD COLUMN tenant VARCHAR(128);
ALTER TABLE dead_letter ADD COLUMN accepted_at TIMESTAMPTZ;
CREATE INDEX dead_letter_destination ON dead_letter (destination, accepted_at);

-- Retention: the delivery log is pruned by age.
CREATE INDEX delivery_log_updated_at ON delivery_log (updated_at);
