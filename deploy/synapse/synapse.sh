#!/usr/bin/env bash
# A real Synapse homeserver for Herald's interoperability test (e2e-tests: SynapseInteropTest), from Debian packages
# only: Debian sid (the only Debian suite with matrix-synapse) in a chroot made with debootstrap, outside the
# repository. No Docker, no PyPI. See docs/synapse.md.
#
#   deploy/synapse/synapse.sh start     install when missing (1-4 min), configure, start on 127.0.0.1:8008, create the users
#   deploy/synapse/synapse.sh env       the settings the test reads:  eval "$(deploy/synapse/synapse.sh env)"
#   deploy/synapse/synapse.sh status    installed? running? answering?  (exit 0 only when Synapse answers)
#   deploy/synapse/synapse.sh stop      stop Synapse and undo the chroot's mounts
#   deploy/synapse/synapse.sh reset     wipe the homeserver (database, config, keys, log); keep the installed packages
#   deploy/synapse/synapse.sh destroy   stop and delete the whole chroot
#
# Settings (environment): SYNAPSE_ROOT (the chroot; default ~/.cache/herald-synapse-sid), SYNAPSE_PORT (8008),
# SYNAPSE_MIRROR (http://deb.debian.org/debian). start, stop, reset and destroy need root (debootstrap, chroot, mount).
#
# The homeserver's server_name is "localhost:<port>", so user ids are @bot:localhost:8008 and Herald's server
# discovery of the domain "localhost:8008" (http in the test) finds /.well-known/matrix/client on Synapse itself.
# Users: bot/botpass (not admin; its rate limit is switched off) and alice/alicepass (admin, also not rate limited).
set -euo pipefail

ROOT=${SYNAPSE_ROOT:-${HOME:-/root}/.cache/herald-synapse-sid}
PORT=${SYNAPSE_PORT:-8008}
MIRROR=${SYNAPSE_MIRROR:-http://deb.debian.org/debian}
SERVER_NAME="localhost:$PORT"
URL="http://127.0.0.1:$PORT"
HS="$ROOT/srv/hs"                  # /srv/hs inside the chroot: config, signing key, SQLite database, media, log
PIDFILE="$HS/synapse-sh.pid"       # the pid of the Synapse process this script started
MARKER="$ROOT/.herald-installed"   # written last by the installation; holds the Synapse version
BOT_USER=bot BOT_PASSWORD=botpass ADMIN_USER=alice ADMIN_PASSWORD=alicepass
CHROOT_ENV=(/usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive)

log() { printf 'synapse.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

need_root() {
  [ "$(id -u)" = 0 ] || die "'$1' must run as root (debootstrap, chroot and mount need it); try: sudo -E $0 $1"
}

check_root_path() {
  case "$ROOT" in
    /*) ;;
    *) die "SYNAPSE_ROOT must be an absolute path (got '$ROOT')" ;;
  esac
  local real repo dir
  real=$(realpath -m "$ROOT")
  for dir in / /root /home /usr /etc /var /tmp /opt /srv /bin /lib /boot "${HOME:-/root}"; do
    [ "$real" != "$(realpath -m "$dir")" ] || die "refusing SYNAPSE_ROOT=$ROOT: pick a folder of its own"
  done
  repo=$(cd "$(dirname "$0")/../.." && pwd -P)
  case "$real/" in
    "$repo"/*) die "SYNAPSE_ROOT=$ROOT is inside the repository; keep the chroot outside it" ;;
  esac
}

chrooted() { chroot "$ROOT" "${CHROOT_ENV[@]}" "$@"; }

# Mount points at or under $ROOT, deepest first (/proc/self/mounts escapes spaces as \040: keep ROOT free of them).
mounts_under_root() {
  local real
  real=$(realpath -m "$ROOT")
  awk -v r="$real" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

is_mounted() { awk -v p="$(realpath -m "$1")" '$2 == p { found = 1 } END { exit !found }' /proc/self/mounts; }

mount_all() {
  is_mounted "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  is_mounted "$ROOT/dev" || mount --bind /dev "$ROOT/dev"
}

umount_all() {
  local m
  for m in $(mounts_under_root); do
    umount "$m" 2>/dev/null || umount -l "$m" || log "could not unmount $m"
  done
  [ -z "$(mounts_under_root)" ] || die "still mounted under $ROOT: $(mounts_under_root | tr '\n' ' ')"
}

# rm -rf of the chroot (or a folder in it), only with nothing mounted under it and only when it looks like ours.
safe_remove() {
  local target=$1
  [ -e "$target" ] || return 0
  [ -z "$(mounts_under_root)" ] || die "refusing to delete $target: mounts under $ROOT remain"
  if [ "$target" = "$ROOT" ] && [ ! -f "$ROOT/etc/debian_version" ] && [ ! -d "$ROOT/debootstrap" ] \
      && [ ! -f "$MARKER" ] && [ -n "$(ls -A "$ROOT")" ]; then
    die "refusing to delete $ROOT: it does not look like the Synapse chroot"
  fi
  rm -rf --one-file-system "$target"
}

install_host_tools() {
  local missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v curl >/dev/null || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
  log "installing ${missing[*]} on the host"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

install() {
  if [ -f "$MARKER" ]; then
    return 0
  fi
  install_host_tools
  if [ -e "$ROOT" ]; then
    log "incomplete installation at $ROOT: starting over"
    umount_all
    safe_remove "$ROOT"
  fi
  local started=$SECONDS
  log "installing Debian sid with matrix-synapse into $ROOT (from $MIRROR)"
  mkdir -p "$(dirname "$ROOT")"
  debootstrap --variant=minbase sid "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 \
    || { tail -n 30 "$ROOT.debootstrap.log" >&2; die "debootstrap failed (full log: $ROOT.debootstrap.log)"; }
  rm -f "$ROOT.debootstrap.log"
  cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
  # The mirror may serve a sid Release whose Valid-Until has passed.
  echo 'Acquire::Check-Valid-Until "false";' >"$ROOT/etc/apt/apt.conf.d/99herald"
  # No service is started inside the chroot by package scripts.
  printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
  chmod 755 "$ROOT/usr/sbin/policy-rc.d"
  mount_all
  chrooted sh -c '
    set -e
    apt-get update -qq
    echo "matrix-synapse matrix-synapse/server-name string localhost" | debconf-set-selections
    echo "matrix-synapse matrix-synapse/report-stats boolean false" | debconf-set-selections
    apt-get install -y -qq --no-install-recommends matrix-synapse >/dev/null
    apt-get clean' >&2 || die "installing matrix-synapse in the chroot failed"
  local version
  version=$(chrooted python3 -c 'import synapse; print(synapse.__version__)')
  echo "$version" >"$MARKER"
  log "installed Synapse $version in $((SECONDS - started)) s"
}

# Generates the homeserver's config once (secrets, signing key), then applies Herald's settings on every start.
configure() {
  mkdir -p "$HS"
  if [ ! -f "$HS/homeserver.yaml" ]; then
    log "generating the homeserver config (server_name $SERVER_NAME)"
    chrooted sh -c "cd /srv/hs && python3 -m synapse.app.homeserver --server-name '$SERVER_NAME' \
      --config-path /srv/hs/homeserver.yaml --generate-config --report-stats=no --data-directory /srv/hs" >/dev/null
  fi
  # Straight to the file (the generated config buffers records for up to 5 s): the test reads the access log.
  cat >"$HS/log.config" <<'EOF'
version: 1
formatters:
  precise:
    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s'
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: /srv/hs/homeserver.log
    encoding: utf8
loggers:
  synapse.storage.SQL:
    level: INFO
root:
  level: INFO
  handlers: [file]
disable_existing_loggers: false
EOF
  chrooted python3 - "$SERVER_NAME" "$PORT" "$URL" <<'EOF' || die "configuring the homeserver failed"
import os, sys, yaml
server_name, port, url = sys.argv[1], int(sys.argv[2]), sys.argv[3]
path = "/srv/hs/homeserver.yaml"
with open(path) as f:
    c = yaml.safe_load(f)
if c.get("server_name") != server_name:
    sys.exit(f"the homeserver was generated for server_name {c.get('server_name')!r}, not {server_name!r} "
             "(SYNAPSE_PORT changed?): run 'synapse.sh reset' first")
c["listeners"] = [{"port": port, "type": "http", "tls": False, "x_forwarded": False,
                   "bind_addresses": ["127.0.0.1"], "resources": [{"names": ["client"], "compress": False}]}]
c["public_baseurl"] = url + "/"          # m.homeserver.base_url of the well-known
c["serve_client_wellknown"] = True       # /.well-known/matrix/client (404 M_NOT_FOUND without it)
c["trusted_key_servers"] = []
c["suppress_key_server_warning"] = True
c["federation_domain_whitelist"] = []    # no federation traffic
c["ip_range_whitelist"] = ["127.0.0.1/32"]  # an HTTP pusher may reach a gateway on loopback
c["push"] = {"include_content": True}
c["enable_registration"] = False         # users come from the registration shared secret only
c["report_stats"] = False
c["rc_login"] = {k: {"per_second": 10, "burst_count": 100} for k in ("address", "account", "failed_attempts")}
c["log_config"] = "/srv/hs/log.config"
c["pid_file"] = "/srv/hs/homeserver.pid"
with open(path + ".tmp", "w") as f:
    yaml.safe_dump(c, f, default_flow_style=False, sort_keys=False)
os.replace(path + ".tmp", path)
EOF
}

running_pid() {
  local pid
  [ -f "$PIDFILE" ] || return 1
  pid=$(cat "$PIDFILE")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'synapse.app.homeserver' || return 1
  echo "$pid"
}

answers() { curl -sf -m 5 "$URL/_matrix/client/versions" >/dev/null 2>&1; }

# HTTP status of a password login (200: the user exists with that password).
login_status() {
  curl -s -m 10 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"$1\"},\"password\":\"$2\",\"device_id\":\"SYNAPSE_SH\"}" \
    "$URL/_matrix/client/v3/login"
}

ensure_user() {
  local user=$1 password=$2 admin=$3 status
  status=$(login_status "$user" "$password")
  case "$status" in
    200) return 0 ;;
    403) ;;
    *) die "login probe of $user answered HTTP $status" ;;
  esac
  log "registering @$user:$SERVER_NAME ($admin)"
  chrooted sh -c 'for c in synapse_register_new_matrix_user register_new_matrix_user; do
      command -v $c >/dev/null && exec $c "$@"; done; echo "no register_new_matrix_user" >&2; exit 127' \
    register -c /srv/hs/homeserver.yaml -u "$user" -p "$password" "$admin" "$URL" >/dev/null \
    || die "registering $user failed (the user may exist with another password: run 'synapse.sh reset')"
}

# No rate limit for the bot (Herald's deliveries) nor alice (the test creates rooms and invites):
# POST /_synapse/admin/v1/users/{user}/override_ratelimit with 0/0. Synapse then skips every rate limiter for them.
lift_rate_limits() {
  local answer token user
  answer=$(curl -s -m 10 -H 'Content-Type: application/json' \
    -d "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"$ADMIN_USER\"},\"password\":\"$ADMIN_PASSWORD\",\"device_id\":\"SYNAPSE_SH\"}" \
    "$URL/_matrix/client/v3/login")
  token=$(printf '%s' "$answer" | sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')
  [ -n "$token" ] || die "login of $ADMIN_USER failed: $answer"
  for user in "$BOT_USER" "$ADMIN_USER"; do
    curl -sf -m 10 -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d '{"messages_per_second":0,"burst_count":0}' \
      "$URL/_synapse/admin/v1/users/%40$user%3A${SERVER_NAME/:/%3A}/override_ratelimit" \
      || die "override_ratelimit of $user failed"
  done
  curl -s -m 10 -o /dev/null -X POST -H "Authorization: Bearer $token" -d '{}' "$URL/_matrix/client/v3/logout" || true
}

start() {
  need_root start
  check_root_path
  install
  mount_all
  configure
  local pid
  if pid=$(running_pid); then
    log "already running (pid $pid)"
  else
    if answers; then
      die "something else answers on $URL; stop it or set SYNAPSE_PORT"
    fi
    log "starting Synapse $(cat "$MARKER") on $URL (log: $HS/homeserver.log)"
    nohup chroot "$ROOT" "${CHROOT_ENV[@]}" /bin/sh -c 'cd /srv/hs && exec python3 -m synapse.app.homeserver \
      --config-path /srv/hs/homeserver.yaml' </dev/null >>"$HS/synapse.out" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$PIDFILE"
    local deadline=$((SECONDS + 120))
    until answers; do
      if ! kill -0 "$pid" 2>/dev/null; then
        tail -n 20 "$HS/synapse.out" "$HS/homeserver.log" >&2 2>/dev/null || true
        rm -f "$PIDFILE"
        die "Synapse exited during start"
      fi
      [ $SECONDS -lt $deadline ] || die "Synapse did not answer $URL/_matrix/client/versions within 120 s"
      sleep 0.5
    done
  fi
  ensure_user "$BOT_USER" "$BOT_PASSWORD" --no-admin
  ensure_user "$ADMIN_USER" "$ADMIN_PASSWORD" --admin
  lift_rate_limits
  log "ready: $URL, server_name $SERVER_NAME, users @$BOT_USER:$SERVER_NAME and @$ADMIN_USER:$SERVER_NAME (admin)"
  log "next: eval \"\$($0 env)\""
}

stop() {
  need_root stop
  check_root_path
  local pid
  if pid=$(running_pid); then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "Synapse (pid $pid) did not stop within 20 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
    fi
    log "stopped Synapse (pid $pid)"
  else
    log "not running"
  fi
  rm -f "$PIDFILE" "$HS/homeserver.pid"
  [ -d "$ROOT" ] && umount_all
  return 0
}

status() {
  check_root_path
  if [ -f "$MARKER" ]; then echo "installed: Synapse $(cat "$MARKER") in $ROOT"; else echo "installed: no ($ROOT)"; fi
  local pid
  if pid=$(running_pid); then echo "running: pid $pid"; else echo "running: no"; fi
  local mounts
  mounts=$(mounts_under_root | tr '\n' ' ')
  echo "mounts: ${mounts:-none}"
  if answers; then
    echo "answering: $URL (server_name $SERVER_NAME)"
  else
    echo "answering: no ($URL)"
    return 3
  fi
}

print_env() {
  cat <<EOF
export HERALD_SYNAPSE_URL=$URL
export HERALD_SYNAPSE_SERVER_NAME=$SERVER_NAME
export HERALD_SYNAPSE_BOT=@$BOT_USER:$SERVER_NAME
export HERALD_SYNAPSE_BOT_PASSWORD=$BOT_PASSWORD
export HERALD_SYNAPSE_ADMIN=@$ADMIN_USER:$SERVER_NAME
export HERALD_SYNAPSE_ADMIN_PASSWORD=$ADMIN_PASSWORD
export HERALD_SYNAPSE_LOG=$(printf '%q' "$HS/homeserver.log")
EOF
}

reset() {
  need_root reset
  check_root_path
  local was_running=
  running_pid >/dev/null && was_running=1
  stop
  safe_remove "$HS"
  log "homeserver data wiped (packages kept)"
  if [ -n "$was_running" ]; then start; fi
}

destroy() {
  need_root destroy
  check_root_path
  stop
  safe_remove "$ROOT"
  rm -f "$ROOT.debootstrap.log"
  log "deleted $ROOT"
}

# One command at a time per chroot.
lock() {
  if command -v flock >/dev/null; then
    mkdir -p "$(dirname "$ROOT")"
    exec 9>"$ROOT.lock"
    flock -w 600 9 || die "another synapse.sh holds $ROOT.lock"
  fi
}

case "${1:-}" in
  start | stop | reset | destroy) need_root "$1"; check_root_path; lock; "$1" ;;
  status) status ;;
  env) print_env ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 1 ;;
esac
