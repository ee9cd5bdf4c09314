# shellcheck shell=bash
# Shared helpers for scripts/openstack/{up,down}.sh. Sourced, not executed.
# Everything lives under one state directory; every daemon is started with setsid (its own
# session and process group, pgid == pid) and recorded in $RUN/<name>.pid.

OS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# state_dir ARG → absolute path (default: <repo>/var/openstack)
state_dir() {
  local d=${1:-$OS_REPO/var/openstack}
  mkdir -p "$d"
  (cd "$d" && pwd)
}

set_paths() {
  STATE=$1
  RUN=$STATE/run
  LOGS=$STATE/log
  ETC=$STATE/etc
  DB=$STATE/db
  SECRETS=$STATE/secrets
}

# The daemons, in start order (down.sh stops the OpenStack ones together, then RabbitMQ,
# then epmd).
SERVICES=(epmd rabbitmq keystone placement glance neutron nova-api nova-conductor nova-scheduler nova-compute)

LOG_TAG=openstack
# shellcheck source=scripts/common.sh
source "$OS_REPO/scripts/common.sh"

# pid_of NAME → prints the recorded pid if that process is alive
pid_of() {
  local f=$RUN/$1.pid pid
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # A recycled pid would not be in its own process group (we start each daemon with setsid).
  [[ $(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') == "$pid" ]] || return 1
  printf '%s' "$pid"
}

is_running() { pid_of "$1" >/dev/null; }

# mem_of NAME → "RSS_KB PSS_KB PROCESSES" summed over the daemon's process group
# (RSS counts pages shared between a master and its forked workers once per process; PSS
# splits them, so the PSS sum is what the control plane really occupies)
mem_of() {
  local pid c rss=0 pss=0 n=0 r p
  pid=$(pid_of "$1") || { echo "0 0 0"; return; }
  for c in $(ps -eo pid=,pgid= | awk -v g="$pid" '$2 == g { print $1 }'); do
    read -r r p < <(awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } END { print r + 0, p + 0 }' \
      "/proc/$c/smaps_rollup" 2>/dev/null || echo "0 0")
    rss=$((rss + r))
    pss=$((pss + p))
    n=$((n + 1))
  done
  echo "$rss $pss $n"
}

# orphans_of NAME → pids left in the process group of a daemon whose leader is gone (e.g.
# workers of a crashed neutron-server), if their command line names this state directory
orphans_of() {
  local f=$RUN/$1.pid pid c
  [[ -s $f ]] || return 0
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  for c in $(pgrep -g "$pid" 2>/dev/null || true); do
    tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null | grep -qF "$STATE/" && echo "$c"
  done
  return 0
}
