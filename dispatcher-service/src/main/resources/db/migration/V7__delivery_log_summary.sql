-- summary: the start of a delivery's message (its event's body), for the console's text search of the timeline. Written with
-- the row's first write only; searched within a time window (updated_at), never indexed for text (the hot table's
-- writes stay as cheap as they were).
ALTER TABLE delivery_log ADD COLUMN summary VARCHAR(200);
-- rule_id: for a push, the push rule that matched for its recipient (why the phone buzzed).
ALTER TABLE delivery_log ADD COLUMN rule_id VARCHAR(255);
