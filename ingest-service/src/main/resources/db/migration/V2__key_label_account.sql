-- Who is speaking: a label shown as the prefix of every message a key sends, a dispatcher account of its own (the room
-- must list it among its source accounts), and whether the key may send urgent notifications (a room mention).
ALTER TABLE api_keys ADD COLUMN label text;
ALTER TABLE api_keys ADD COLUMN account text;
ALTER TABLE api_keys ADD COLUMN may_mention_room boolean NOT NULL DEFAULT false;
