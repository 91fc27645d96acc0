-- The tenant that owns a room: set when the room is created; callers limited to a tenant see and manage only its
-- rooms. Rooms created before tenants existed have none (only callers of every tenant see them).
ALTER TABLE room ADD COLUMN tenant VARCHAR(64);
CREATE INDEX room_tenant ON room (tenant, room_key);
