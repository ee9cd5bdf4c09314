#!/usr/bin/env bash
# A real JupyterHub 3.0 (Debian's `jupyterhub`) on 127.0.0.1 for the integration tests,
# shaped like a z2jh deployment: configurable-http-proxy 4.6.3 (npm devDependency, run with
# the repo's Node 24) in front on 8000 (API 8001), the hub behind it on 8081 (started by
# start-hub.sh), single-user servers as local processes. Layout in lib.sh; notes in
# .ci/jupyterhub.md.
#
#   scripts/jupyterhub/up.sh [STATE_DIR]          (default: <repo>/var/jupyterhub)
#   scripts/jupyterhub/down.sh [STATE_DIR] [--purge]
#
# Idempotent: tokens and the cookie secret are made once per state directory; a running
# proxy or hub is kept (checked, not restarted). Secrets live only in mode-600 files and
# reach curl through a pipe; nothing here prints them.
# Outputs: STATE/env (HUB_URL, HUB_API_URL, PROXY_API_URL, pid and token file paths,
# START_HUB — the command that restarts the hub), logs STATE/{proxy,hub}.log.
set -euo pipefail
# shellcheck source=scripts/jupyterhub/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0=$(now)
set_paths "$(state_dir "${1:-}")"
for bin in /usr/bin/jupyterhub /usr/bin/jupyterhub-singleuser /usr/bin/python3; do
  [[ -x $bin ]] || die "$bin is missing (apt-get install --no-install-recommends jupyterhub)"
done
[[ -x $NODE && -e $CHP ]] || die "configurable-http-proxy or Node 24 is missing in node_modules (run npm ci)"
command -v curl >/dev/null || die "curl is missing"
command -v openssl >/dev/null || die "openssl is missing"
chmod 700 "$STATE"
mkdir -p "$USERS"

# --- secrets, made once (mode 600)
secret_file() { # FILE BYTES
  [[ -s $1 ]] || (umask 077 && openssl rand -hex "$2" >"$1")
  chmod 600 "$1"
}
secret_file "$API_TOKEN_FILE" 32
secret_file "$PROXY_TOKEN_FILE" 32
secret_file "$COOKIE_SECRET_FILE" 32

# --- the hub's configuration, rendered on every run
tmpl=$(<"$JH_REPO/scripts/jupyterhub/jupyterhub_config.template.py")
tmpl=${tmpl//@STATE@/$STATE}
tmpl=${tmpl//@PUBLIC_URL@/$PUBLIC_URL}
tmpl=${tmpl//@HUB_BIND_URL@/$HUB_BIND_URL}
tmpl=${tmpl//@PROXY_API_URL@/$PROXY_API_URL}
printf '%s\n' "$tmpl" >"$CONFIG"

# --- the proxy (z2jh's proxy pod): public 8000, API 8001, everything else to the hub
if pid=$(proxy_pid); then
  [[ $(http_code "$PROXY_API_URL/api/routes" "$PROXY_TOKEN_FILE") == 200 ]] ||
    die "the proxy (pid $pid) runs but its API refuses $PROXY_TOKEN_FILE: run down.sh $STATE first"
  log "proxy already running (pid $pid)"
else
  for port in "$PROXY_PORT" "$PROXY_API_PORT"; do
    port_open "$port" && die "127.0.0.1:$port is taken by a process this setup did not start"
  done
  t=$(now)
  cd "$STATE"
  CONFIGPROXY_AUTH_TOKEN=$(<"$PROXY_TOKEN_FILE") setsid "$NODE" "$CHP" \
    --ip "$JH_HOST" --port "$PROXY_PORT" --api-ip "$JH_HOST" --api-port "$PROXY_API_PORT" \
    --default-target "$HUB_BIND_URL" --error-target "$HUB_BIND_URL/hub/error" \
    >>"$PROXY_LOG" 2>&1 </dev/null &
  echo $! >"$PROXY_PID_FILE"
  cd - >/dev/null
  deadline=$((SECONDS + 30))
  until [[ $(http_code "$PROXY_API_URL/api/routes" "$PROXY_TOKEN_FILE") == 200 ]]; do
    proxy_pid >/dev/null || die "the proxy exited (see $PROXY_LOG)"
    ((SECONDS < deadline)) || die "the proxy's API does not answer after 30 s (see $PROXY_LOG)"
    sleep 0.1
  done
  log "proxy ready in $(elapsed "$t") s (pid $(proxy_pid))"
fi

# --- the hub
bash "$JH_REPO/scripts/jupyterhub/start-hub.sh" "$STATE"

cat >"$STATE/env" <<ENV
HUB_URL=$PUBLIC_URL
HUB_API_URL=$PUBLIC_URL/hub/api
PROXY_API_URL=$PROXY_API_URL
HUB_BIND_URL=$HUB_BIND_URL
HUB_PID_FILE=$HUB_PID_FILE
PROXY_PID_FILE=$PROXY_PID_FILE
API_TOKEN_FILE=$API_TOKEN_FILE
PROXY_TOKEN_FILE=$PROXY_TOKEN_FILE
START_HUB="bash $JH_REPO/scripts/jupyterhub/start-hub.sh $STATE"
ENV
log "ready in $(elapsed "$T0") s: $PUBLIC_URL (RSS: proxy $(rss_mb "$(proxy_pid)") MB, hub $(rss_mb "$(hub_pid)") MB); facts in $STATE/env"
