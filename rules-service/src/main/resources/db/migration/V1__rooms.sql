-- Herald rooms: a key producers post to, optionally linked to a Matrix room posted into as a dispatcher account.
CREATE TABLE room (
    room_key       VARCHAR(128) PRIMARY KEY,
    matrix_room_id VARCHAR(255),
    account        VARCHAR(128),
    created_at     TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ  NOT NULL DEFAULT now(),
    CONSTRAINT room_link_complete CHECK ((matrix_room_id IS NULL) = (account IS NULL))
);
