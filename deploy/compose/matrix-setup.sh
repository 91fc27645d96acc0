#!/bin/bash
# docker compose --profile matrix: wires a demo room on the Synapse container to Herald. Runs in the Synapse image
# (python3, curl, register_new_matrix_user) after Synapse and the three services are healthy; safe to run again.
#   @herald:localhost  the bot Herald posts as (its token goes to the dispatcher, encrypted there)
#   @demo:localhost    you: log in with any Matrix client at http://localhost:8008 (password MATRIX_DEMO_PASSWORD)
set -euo pipefail

HS=http://synapse:8008
PW=${MATRIX_DEMO_PASSWORD:-herald-demo}
INGEST=http://ingest:8081
RULES=http://rules:8082
DISPATCHER=http://dispatcher:8083
JSON='Content-Type: application/json'
ADMIN="Authorization: Bearer $HERALD_ADMIN_TOKEN"

field() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
urlenc() { python3 -c "import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=''))" "$1"; }

for user in herald demo; do
  # Fails when the user exists (a second run): fine.
  register_new_matrix_user -c /data/homeserver.yaml -u "$user" -p "$PW" --no-admin "$HS" >/dev/null 2>&1 || true
done

login() {
  curl -fsS -X POST "$HS/_matrix/client/v3/login" -H "$JSON" -d "{\"type\": \"m.login.password\",
    \"identifier\": {\"type\": \"m.id.user\", \"user\": \"$1\"}, \"password\": \"$PW\", \"device_id\": \"$2\"}" \
    | field access_token
}
BOT_TOKEN=$(login herald HERALD)
DEMO_TOKEN=$(login demo SETUP)

ALIAS=$(urlenc '#herald-demo:localhost')
if ! ROOM_ID=$(curl -fsS "$HS/_matrix/client/v3/directory/room/$ALIAS" 2>/dev/null | field room_id); then
  ROOM_ID=$(curl -fsS -X POST "$HS/_matrix/client/v3/createRoom" -H "$JSON" -H "Authorization: Bearer $BOT_TOKEN" \
    -d '{"name": "Herald demo", "room_alias_name": "herald-demo", "preset": "private_chat", "invite": ["@demo:localhost"]}' \
    | field room_id)
fi
curl -fsS -X POST "$HS/_matrix/client/v3/join/$(urlenc "$ROOM_ID")" -H "$JSON" -H "Authorization: Bearer $DEMO_TOKEN" \
  -d '{}' >/dev/null || true

# The bot account (replaced on every run: the login above issued a new token for device HERALD).
curl -sS -o /dev/null -X DELETE "$DISPATCHER/v1/matrix-accounts/demo-bot" -H "$ADMIN" || true
curl -fsS -o /dev/null -X POST "$DISPATCHER/v1/matrix-accounts" -H "$JSON" -H "$ADMIN" -d "{\"id\": \"demo-bot\",
  \"homeserver\": \"$HS\", \"access_token\": \"$BOT_TOKEN\", \"user_id\": \"@herald:localhost\",
  \"device_id\": \"HERALD\", \"password\": \"$PW\"}"

curl -fsS -o /dev/null -X PUT "$RULES/v1/rooms/matrix-demo" -H "$JSON" -H "$ADMIN" \
  -d "{\"matrix_room_id\": \"$ROOM_ID\", \"account\": \"demo-bot\", \"tenant\": \"demo\"}"

API_KEY=$(curl -fsS -X POST "$INGEST/v1/admin/api-keys" -H "$JSON" -H "$ADMIN" \
  -d '{"tenant": "demo", "rooms": ["matrix-demo"], "sender": "@herald:localhost", "name": "matrix-demo"}' | field key)

curl -fsS -o /dev/null -X POST "$INGEST/v1/rooms/matrix-demo/notifications" -H "$JSON" -H "Authorization: Bearer $API_KEY" \
  -d '{"subject": "Herald is connected", "body": "This room receives what is posted to the Herald room matrix-demo."}'

cat <<DONE
Matrix demo ready.
  Synapse:       http://localhost:8008  (log in as demo / $PW with any Matrix client)
  Matrix room:   $ROOM_ID  (#herald-demo:localhost)
  Herald room:   matrix-demo, account demo-bot
  API key:       $API_KEY   (shown only now)

  curl -H 'Authorization: Bearer $API_KEY' -H 'Content-Type: application/json' \\
       -d '{"subject": "Backup failed", "body": "nas1 could not reach the target"}' \\
       http://localhost:8081/v1/rooms/matrix-demo/notifications
DONE
