-- Matrix rooms as Herald learns them from herald.events (docs/architecture.md, "Matrix rooms: state, counts, pushes").

-- Room state from state events. A state event replaces what it names only when it is not older than what is kept
-- (origin_server_ts, then stream order), so a late or replayed event never rolls the state back.
CREATE TABLE matrix_member (
    room_id          VARCHAR(255) NOT NULL,
    user_id          VARCHAR(255) NOT NULL,
    membership       VARCHAR(32)  NOT NULL,
    display_name     TEXT,
    sender           VARCHAR(255),
    event_id         VARCHAR(255),
    origin_server_ts BIGINT       NOT NULL,
    stream_pos       BIGINT       NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX matrix_member_user ON matrix_member (user_id, membership);

-- The room-wide state Herald uses: m.room.create, m.room.power_levels, m.room.name, m.room.canonical_alias (state key "").
CREATE TABLE matrix_room_state (
    room_id          VARCHAR(255) NOT NULL,
    event_type       VARCHAR(255) NOT NULL,
    event_id         VARCHAR(255),
    sender           VARCHAR(255),
    origin_server_ts BIGINT       NOT NULL,
    stream_pos       BIGINT       NOT NULL,
    content          TEXT         NOT NULL,
    PRIMARY KEY (room_id, event_type)
);

-- One position per event Herald sees (herald.events and notifications that push), in the order they were processed;
-- per room it is the room's order (one partition, one consumer at a time).
CREATE SEQUENCE stream_pos_seq;

-- The events of a room by position: what a read receipt names is found here, and what GET /notifications shows.
-- event is kept only for events that notified someone.
CREATE TABLE room_event (
    room_id     VARCHAR(255) NOT NULL,
    stream_pos  BIGINT       NOT NULL,
    event_id    VARCHAR(255),
    thread_id   VARCHAR(255) NOT NULL,
    event       TEXT,
    received_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, stream_pos)
);
-- event_id: the Matrix event id, or for a Herald notification that pushed, its notification id (so planning it
-- again after a crash does not count it twice).
CREATE UNIQUE INDEX room_event_id ON room_event (room_id, event_id);
CREATE INDEX room_event_received ON room_event (received_at);

-- Synapse's event_push_actions: one row per event that notified a user (the actions of the rule that matched).
CREATE TABLE push_action (
    user_id    VARCHAR(255) NOT NULL,
    room_id    VARCHAR(255) NOT NULL,
    stream_pos BIGINT       NOT NULL,
    thread_id  VARCHAR(255) NOT NULL,
    highlight  BOOLEAN      NOT NULL,
    is_call    BOOLEAN      NOT NULL,
    actions    TEXT         NOT NULL,
    ts         BIGINT       NOT NULL,
    PRIMARY KEY (user_id, room_id, stream_pos)
);
CREATE INDEX push_action_user_pos ON push_action (user_id, stream_pos);

-- Per user and room: notifying events since the last read receipt (Synapse's event_push_summary), kept up to date as
-- events arrive and recounted from push_action when a receipt moves.
CREATE TABLE unread (
    user_id         VARCHAR(255) NOT NULL,
    room_id         VARCHAR(255) NOT NULL,
    notif_count     INT          NOT NULL,
    highlight_count INT          NOT NULL,
    missed_calls    INT          NOT NULL,
    PRIMARY KEY (user_id, room_id)
);

-- Read receipts (m.read and m.read.private): the newest position per user, room and thread ('' = unthreaded).
CREATE TABLE receipt (
    user_id    VARCHAR(255) NOT NULL,
    room_id    VARCHAR(255) NOT NULL,
    thread_id  VARCHAR(255) NOT NULL,
    stream_pos BIGINT       NOT NULL,
    event_id   VARCHAR(255),
    PRIMARY KEY (user_id, room_id, thread_id)
);
