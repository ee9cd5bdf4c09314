# shellcheck shell=bash
# Shared helpers for scripts/jupyterhub/{up,start-hub,down}.sh. Sourced, not executed.
#
# The layout, all under one state directory (made by up.sh, removed by down.sh --purge):
#   api-token, proxy-token      the gameday service's token and the proxy's, mode 600
#   jupyterhub_cookie_secret    the hub's cookie secret, mode 600
#   jupyterhub_config.py        rendered from jupyterhub_config.template.py (no secret in it:
#                               it reads the token files)
#   jupyterhub.sqlite           the hub's database
#   users/<name>/               each single-user server's home and working directory
#   proxy.pid, hub.pid          pid files (each daemon started with setsid: pid == pgid)
#   proxy.log, hub.log          their logs
#   env                         KEY=VALUE facts for the tests and gameday
# Ports (127.0.0.1 only): proxy 8000 (public) and 8001 (API), hub 8081.

JH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JH_HOST=127.0.0.1
PROXY_PORT=8000
PROXY_API_PORT=8001
HUB_PORT=8081
PUBLIC_URL=http://$JH_HOST:$PROXY_PORT
PROXY_API_URL=http://$JH_HOST:$PROXY_API_PORT
HUB_BIND_URL=http://$JH_HOST:$HUB_PORT
NODE=$JH_REPO/node_modules/.bin/node
CHP=$JH_REPO/node_modules/.bin/configurable-http-proxy

LOG_TAG=jupyterhub
# shellcheck source=scripts/common.sh
source "$JH_REPO/scripts/common.sh"

# state_dir ARG → the absolute state directory (created); refuses paths that cannot be
# written into the hub's Python config or a START_HUB command line as they are
state_dir() {
  local d=${1:-$JH_REPO/var/jupyterhub}
  [[ $d =~ ^[A-Za-z0-9_./+@:-]+$ ]] || die "state dir '$d': use only letters, digits and _ . / + @ : - (no spaces or quotes)"
  mkdir -p "$d"
  (cd "$d" && pwd)
}

set_paths() {
  STATE=$1
  USERS=$STATE/users
  CONFIG=$STATE/jupyterhub_config.py
  API_TOKEN_FILE=$STATE/api-token
  PROXY_TOKEN_FILE=$STATE/proxy-token
  COOKIE_SECRET_FILE=$STATE/jupyterhub_cookie_secret
  HUB_PID_FILE=$STATE/hub.pid
  PROXY_PID_FILE=$STATE/proxy.pid
  HUB_LOG=$STATE/hub.log
  PROXY_LOG=$STATE/proxy.log
}

# pid_of NAME MATCH → the pid recorded in $STATE/NAME.pid, if that process is alive, leads
# its own process group (setsid) and its command line contains MATCH (a recycled pid fails)
pid_of() {
  local f=$STATE/$1.pid pid cmd
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  [[ $(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') == "$pid" ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmd == *"$2"* ]] || return 1
  printf '%s' "$pid"
}
hub_pid() { pid_of hub "$CONFIG"; }
proxy_pid() { pid_of proxy configurable-http-proxy; }

# http_code URL [TOKEN_FILE] → the HTTP status (000 when nothing answers); the token goes to
# curl through a pipe, never on a command line
http_code() {
  local url=$1 tf=${2:-}
  if [[ -n $tf ]]; then
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 -K <(printf 'header = "Authorization: token %s"\n' "$(<"$tf")") "$url" || true
  else
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true
  fi
}

# ours → pids of every process this setup started that is still alive, one per line: the
# recorded hub and proxy, plus a scan of /proc for processes of this state directory whose
# pid file was lost — the hub (its command line names our config), the proxy (working
# directory STATE, configurable-http-proxy in its command line) and the single-user servers
# and their kernels (working directory under STATE/users/, started by the hub with
# start_new_session, so each leads its own session; their environment names our hub's API)
ours() {
  local p cwd cmd env
  hub_pid && echo
  proxy_pid && echo
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [[ $p == "$$" || $p == "$BASHPID" ]] && continue
    cwd=$(readlink "/proc/$p/cwd" 2>/dev/null) || continue
    cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") || continue
    if [[ $cmd == *"$CONFIG"* && $cmd == *jupyterhub* ]] ||
       [[ $cwd == "$STATE" && $cmd == *configurable-http-proxy* ]] ||
       { [[ $cwd == "$USERS"/* ]] && env=$(tr '\0' '\n' 2>/dev/null <"/proc/$p/environ") &&
         [[ $'\n'$env$'\n' == *$'\n'"JUPYTERHUB_API_URL=$HUB_BIND_URL/hub/api"$'\n'* ]]; }; then
      alive "$p" && echo "$p"
    fi
  done
  return 0
}

