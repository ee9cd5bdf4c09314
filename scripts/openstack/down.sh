#!/usr/bin/env bash
# Stop the control plane scripts/openstack/up.sh started, by its pid files: TERM, then KILL
# (the daemon's whole process group, which setsid made ours) after a grace period.
# OpenStack services go first, all at once; RabbitMQ and epmd once they are gone.
# Keeps the state (databases, secrets, clouds.yaml) so up.sh can bring it back; pass
# --purge as second argument to delete the state directory too.
#
#   scripts/openstack/down.sh [STATE_DIR] [--purge]      (default: <repo>/var/openstack)
#   OPENSTACK_STOP_GRACE=SECONDS (default 10) before KILL
set -euo pipefail
# shellcheck source=scripts/openstack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir=${1:-$OS_REPO/var/openstack}
[[ -d $dir ]] || { log "nothing to stop: $dir does not exist"; exit 0; }
set_paths "$(state_dir "$dir")"
GRACE=${OPENSTACK_STOP_GRACE:-10}

alive() { kill -0 "$1" 2>/dev/null || [[ -n $(pgrep -g "$1" 2>/dev/null || true) ]]; }

# stop_group NAME... → TERM them all, wait up to GRACE, KILL the process groups left
stop_group() {
  local name pid any deadline n t0
  local -A pids=()
  t0=$(now)
  for name in "$@"; do
    if pid=$(pid_of "$name"); then
      pids[$name]=$pid
      kill -TERM "$pid" 2>/dev/null || true
    else
      local orphans
      orphans=$(orphans_of "$name")
      if [[ -n $orphans ]]; then
        # shellcheck disable=SC2086
        kill -KILL $orphans 2>/dev/null || true
        log "stopped $name: its leader was gone, KILLed $(wc -w <<<"$orphans") leftover process(es)"
      fi
      rm -f "$RUN/$name.pid"
    fi
  done
  ((${#pids[@]})) || return 0
  local -A took=()
  deadline=$((SECONDS + GRACE))
  while ((SECONDS < deadline)); do
    any=false
    for name in "${!pids[@]}"; do
      [[ -n ${took[$name]:-} ]] && continue
      if alive "${pids[$name]}"; then any=true; else took[$name]=$(elapsed "$t0"); fi
    done
    $any || break
    sleep 0.2
  done
  for name in "$@"; do
    [[ -n ${pids[$name]:-} ]] || continue
    pid=${pids[$name]}
    if alive "$pid"; then
      n=$(pgrep -g "$pid" 2>/dev/null | wc -l)
      kill -KILL -- "-$pid" 2>/dev/null || true
      log "stopped $name (pid $pid): KILLed $n process(es) still alive after ${GRACE}s"
    else
      log "stopped $name (pid $pid): exited on TERM after ${took[$name]:-$(elapsed "$t0")} s"
    fi
    rm -f "$RUN/$name.pid"
    STOPPED=$((STOPPED + 1))
  done
}

T0=$(now)
STOPPED=0
openstack=()
for name in "${SERVICES[@]}"; do
  [[ $name == epmd || $name == rabbitmq ]] || openstack+=("$name")
done
stop_group "${openstack[@]}"
stop_group rabbitmq
stop_group epmd
log "stopped $STOPPED service(s) in $(elapsed "$T0") s (state kept in $STATE)"

if [[ ${2:-} == --purge ]]; then
  rm -rf "$STATE"
  log "removed $STATE"
fi
