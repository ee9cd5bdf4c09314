#!/usr/bin/env bash
# Stop what scripts/jupyterhub/up.sh and start-hub.sh started: the hub, every single-user
# server (and kernel) the hub spawned, and the proxy — TERM all at once by pid, KILL what is
# left after a grace period. Only processes of this state directory are touched (lib.sh's
# `ours` says how they are recognised). Keeps the state (database, tokens) unless --purge.
#
#   scripts/jupyterhub/down.sh [STATE_DIR] [--purge]      (default: <repo>/var/jupyterhub)
#   JUPYTERHUB_STOP_GRACE=SECONDS (default 5) before KILL
set -euo pipefail
# shellcheck source=scripts/jupyterhub/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir=${1:-$JH_REPO/var/jupyterhub}
[[ -d $dir ]] || { log "nothing to stop: $dir does not exist"; exit 0; }
set_paths "$(state_dir "$dir")"
GRACE=${JUPYTERHUB_STOP_GRACE:-5}
[[ $GRACE =~ ^[0-9]+$ ]] || die "JUPYTERHUB_STOP_GRACE=$GRACE is not a number of seconds"
T0=$(now)

mapfile -t pids < <(ours | sort -un)
killed=$(stop_pids "$GRACE" "${pids[@]}")
rm -f "$HUB_PID_FILE" "$PROXY_PID_FILE"
if ((killed)); then
  log "stopped ${#pids[@]} process(es) in $(elapsed "$T0") s ($killed KILLed after ${GRACE}s)"
else
  log "stopped ${#pids[@]} process(es) in $(elapsed "$T0") s"
fi

if [[ ${2:-} == --purge ]]; then
  rm -rf "$STATE"
  log "removed $STATE"
fi
