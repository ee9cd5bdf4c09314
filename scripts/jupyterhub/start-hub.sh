#!/usr/bin/env bash
# Start the hub of a setup scripts/jupyterhub/up.sh made, and return once /hub/health
# answers 200 through the proxy; fail (with the log's tail) after a deadline. Harmless when
# the hub already runs: it then only waits for health. This is also the restore command of
# gameday's `host.process.kill` fault on the hub (STATE/env's START_HUB): it works from any
# working directory and caller, and concurrent calls start one hub (a lock serialises them).
# The hub adopts the single-user servers still running from its database.
#
#   scripts/jupyterhub/start-hub.sh STATE_DIR
#   HUB_START_TIMEOUT=SECONDS (default 60) before giving up
set -euo pipefail
# shellcheck source=scripts/jupyterhub/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -n ${1:-} ]] || die "usage: start-hub.sh STATE_DIR"
[[ -d $1 ]] || die "$1 does not exist: run scripts/jupyterhub/up.sh $1 first"
set_paths "$(state_dir "$1")"
[[ -s $CONFIG && -s $API_TOKEN_FILE && -s $PROXY_TOKEN_FILE ]] || die "$STATE is not a hub setup: run scripts/jupyterhub/up.sh $STATE first"
TIMEOUT=${HUB_START_TIMEOUT:-60}
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "HUB_START_TIMEOUT=$TIMEOUT is not a number of seconds"
T0=$(now)

exec 9>"$STATE/start-hub.lock"
flock -w "$((TIMEOUT + 10))" 9 || die "another start-hub.sh holds $STATE/start-hub.lock"

proxy_pid >/dev/null || die "the proxy of $STATE is not running: run scripts/jupyterhub/up.sh $STATE"

started=false
if pid=$(hub_pid); then
  :
else
  port_open "$HUB_PORT" && die "127.0.0.1:$HUB_PORT is taken by a process this setup did not start"
  cd "$STATE"
  # fd 9 (the lock) is closed for the hub, or it would hold the lock for its whole life
  setsid env -u PYTHONPATH -u PYTHONHOME /usr/bin/jupyterhub --config "$CONFIG" \
    >>"$HUB_LOG" 2>&1 </dev/null 9>&- &
  echo $! >"$HUB_PID_FILE"
  pid=$!
  started=true
fi

# poll the hub itself (the proxy logs every 503 it answers meanwhile), then once through the proxy
deadline=$((SECONDS + TIMEOUT))
until [[ $(http_code "$HUB_BIND_URL/hub/health") == 200 && $(http_code "$PUBLIC_URL/hub/health") == 200 ]]; do
  if ! hub_pid >/dev/null; then
    tail -n 20 "$HUB_LOG" >&2 || true
    die "the hub (pid $pid) exited before it was healthy (log: $HUB_LOG)"
  fi
  if ((SECONDS >= deadline)); then
    tail -n 20 "$HUB_LOG" >&2 || true
    die "the hub (pid $pid) is not healthy after $TIMEOUT s (log: $HUB_LOG)"
  fi
  sleep 0.1
done
if $started; then
  log "hub healthy in $(elapsed "$T0") s (pid $pid, RSS $(rss_mb "$pid") MB)"
else
  log "hub already running (pid $pid), healthy"
fi
