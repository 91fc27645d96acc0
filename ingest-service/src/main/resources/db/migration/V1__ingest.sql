-- API keys: only the SHA-256 of a key is stored; the key itself is shown once, when it is created.
CREATE TABLE api_keys (
    id              text PRIMARY KEY,
    key_hash        text NOT NULL UNIQUE,
    name            text,
    tenant          text NOT NULL,
    sender          text NOT NULL,
    rooms           text[] NOT NULL,
    rate_per_second double precision,
    burst           integer,
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);

-- Idempotency-Key -> the notification id(s) it produced, per tenant, kept herald.ingest.idempotency.retention (24 h).
-- A row exists (committed) only once Kafka acknowledged every record of the request.
CREATE TABLE idempotency_keys (
    tenant           text NOT NULL,
    idempotency_key  text NOT NULL,
    request_hash     text NOT NULL,
    notification_ids text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, idempotency_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
