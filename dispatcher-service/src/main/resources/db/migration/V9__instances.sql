-- The dispatcher instances that run, for what only each instance knows: the deliveries it holds in memory (a room's
-- queue lists them from every instance). Each instance refreshes its row every 10 s and deletes it when it stops;
-- a row not refreshed for 30 s is ignored, one not refreshed for an hour removed.
CREATE TABLE instance (
    instance_id VARCHAR(64)   PRIMARY KEY,
    url         VARCHAR(1024) NOT NULL,
    seen_at     TIMESTAMPTZ   NOT NULL DEFAULT now()
);
