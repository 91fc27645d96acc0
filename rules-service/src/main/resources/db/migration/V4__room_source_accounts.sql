-- Accounts besides the room's own that notifications may ask to post as (an API key's account, a second bot per
-- source): comma-separated dispatcher account ids; a notification naming another account posts as the room's account.
ALTER TABLE room ADD COLUMN source_accounts VARCHAR(2048);
