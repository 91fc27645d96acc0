-- A queue senders can see and steer (GET/DELETE /v1/rooms/{room}/queue, GET /v1/notifications/{id}).

-- Parked deliveries by room and by notification: the columns are copied from the payload by a trigger, so the parking
-- lot's writes stay as they are. json (not jsonb) accepts every string a payload may hold; a payload that does not
-- parse leaves the columns empty rather than refusing the row.
ALTER TABLE parked_delivery ADD COLUMN room_key VARCHAR(128);
ALTER TABLE parked_delivery ADD COLUMN notification_id VARCHAR(255);
ALTER TABLE parked_delivery ADD COLUMN tenant VARCHAR(128);
ALTER TABLE parked_delivery ADD COLUMN accepted_at TIMESTAMPTZ;

CREATE FUNCTION parked_delivery_fields() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d json;
BEGIN
    BEGIN
        d := NEW.payload::json;
        NEW.room_key := left(d ->> 'room', 128);
        NEW.notification_id := left(d ->> 'notification_id', 255);
        NEW.tenant := left(d ->> 'tenant', 128);
        NEW.accepted_at := COALESCE(d ->> 'accepted_at', d ->> 'created_at')::timestamptz;
    EXCEPTION WHEN others THEN
        NEW.room_key := NULL;
    END;
    RETURN NEW;
END $$;

CREATE TRIGGER parked_delivery_fields BEFORE INSERT OR UPDATE OF payload ON parked_delivery
    FOR EACH ROW EXECUTE FUNCTION parked_delivery_fields();
UPDATE parked_delivery SET payload = payload;

CREATE INDEX parked_delivery_room ON parked_delivery (room_key, accepted_at);
CREATE INDEX parked_delivery_notification ON parked_delivery (notification_id);

-- Purges of a room's queue: deliveries of the room (and tenant; '' = every tenant) whose notification was accepted
-- before purged_before are settled as 'purged' instead of being sent. A fence only moves forward.
CREATE TABLE queue_purge (
    room_key      VARCHAR(128) NOT NULL,
    tenant        VARCHAR(128) NOT NULL DEFAULT '',
    purged_before TIMESTAMPTZ  NOT NULL,
    purged_at     TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (room_key, tenant)
);
