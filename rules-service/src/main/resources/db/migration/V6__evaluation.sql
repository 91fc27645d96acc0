-- What the push rules decided for each notification (issue #19, the console's timeline): every member that was
-- evaluated (members with a pusher, but the sender), the rule that matched and its actions and tweaks. One row per
-- notification, written when the notification is planned; pruned with the push actions (herald.rules.events.retention).
CREATE TABLE evaluation (
    notification_id VARCHAR(255) PRIMARY KEY,
    room            VARCHAR(128) NOT NULL,
    tenant          VARCHAR(128),
    evaluated_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    member_count    INTEGER      NOT NULL,
    notified_count  INTEGER      NOT NULL,
    -- [{"user_id": ..., "notify": true, "rule_id": ..., "kind": ..., "actions": [...], "tweaks": {...}}, ...], the
    -- notified members first, at most 1,000 of them (member_count says how many there were)
    members         TEXT         NOT NULL
);
CREATE INDEX evaluation_evaluated_at ON evaluation (evaluated_at);
