#!/usr/bin/env bash
# Stop the Prometheus scripts/prometheus/up.sh started, by pid: TERM, KILL after a grace
# period. Only a process running this state directory's config is touched. Keeps the state
# (config, rules, data, log) unless --purge is given, which deletes the state directory,
# data directory included.
#
#   scripts/prometheus/down.sh [STATE_DIR] [--purge]      (default: <repo>/var/prometheus)
#   PROMETHEUS_STOP_GRACE=SECONDS (default 10) before KILL
set -euo pipefail
# shellcheck source=scripts/prometheus/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir=${1:-$PROM_REPO/var/prometheus}
[[ -d $dir ]] || { log "nothing to stop: $dir does not exist"; exit 0; }
set_paths "$(state_dir "$dir")"
GRACE=${PROMETHEUS_STOP_GRACE:-10}
[[ $GRACE =~ ^[0-9]+$ ]] || die "PROMETHEUS_STOP_GRACE=$GRACE is not a number of seconds"
T0=$(now)

mapfile -t pids < <({ prom_pid && echo; ours; } | sort -un)
killed=$(stop_pids "$GRACE" "${pids[@]}")
rm -f "$PID_FILE"
if ((killed)); then
  log "stopped ${#pids[@]} process(es) in $(elapsed "$T0") s ($killed KILLed after ${GRACE}s)"
else
  log "stopped ${#pids[@]} process(es) in $(elapsed "$T0") s"
fi

if [[ ${2:-} == --purge ]]; then
  rm -rf "$STATE"
  log "removed $STATE (data directory included)"
fi
