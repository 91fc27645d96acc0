-- The trace a parked delivery belongs to (W3C traceparent of its span; null when it was not traced): its later
-- attempts continue that trace (docs/operations.md, "Traces").
ALTER TABLE parked_delivery ADD COLUMN trace_parent VARCHAR(64);
