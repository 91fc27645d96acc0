-- The console's timeline: a room's latest deliveries (GET /v1/deliveries?room=), newest first, without a sort of the
-- whole room's log.
CREATE INDEX delivery_log_room_updated ON delivery_log (room_key, updated_at DESC);
