-- accepted_by: the id of the API key ingest accepted the notification with (null for notifications written to Kafka
-- directly), for the console's timeline. Written with the row's first write only.
ALTER TABLE delivery_log ADD COLUMN accepted_by VARCHAR(64);
