#!/usr/bin/env bash
# Tear down what scripts/glusterfs/up.sh made: unmount the client, stop every process living
# in our namespaces (glusterd, sshd, the bricks, self-heal daemons and the FUSE client —
# `ip netns pids` lists exactly those), TERM then KILL after a grace period, and delete the
# namespaces. Keeps the state directory unless --purge is given.
#
#   scripts/glusterfs/down.sh [STATE_DIR] [--purge]
#   GLUSTERFS_STOP_GRACE=SECONDS (default 5) before KILL
set -uo pipefail
# shellcheck source=scripts/glusterfs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir=${1:-$GFS_REPO/var/glusterfs}
set_paths "$(state_dir "$dir")"
GRACE=${GLUSTERFS_STOP_GRACE:-5}
T0=$(now)

namespaces=("$CLIENT_NS")
for n in "${GFS_HOSTS[@]}"; do namespaces+=("$(host_ns "$n")"); done
namespaces+=("$BRIDGE_NS")

if mountpoint -q "$MNT" 2>/dev/null; then umount "$MNT" 2>/dev/null || umount -l "$MNT"; fi

pids_in_namespaces() {
  local ns
  for ns in "${namespaces[@]}"; do
    [[ -e /run/netns/$ns ]] && ip netns pids "$ns" 2>/dev/null
  done
  # up.sh's own pid files, in case a process left its namespace behind
  for f in "$RUN"/*.pid; do [[ -s $f ]] && kill -0 "$(<"$f")" 2>/dev/null && cat "$f"; done
  return 0
}

mapfile -t pids < <(pids_in_namespaces | sort -u)
if ((${#pids[@]})); then
  kill -TERM "${pids[@]}" 2>/dev/null
  deadline=$((SECONDS + GRACE))
  while ((SECONDS < deadline)); do
    mapfile -t left < <(for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && echo "$p"; done)
    ((${#left[@]})) || break
    sleep 0.2
  done
  mapfile -t left < <(for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && echo "$p"; done)
  if ((${#left[@]})); then
    kill -KILL "${left[@]}" 2>/dev/null
    log "KILLed ${#left[@]} process(es) still alive after ${GRACE}s"
  fi
fi
for ns in "${namespaces[@]}"; do [[ -e /run/netns/$ns ]] && ip netns del "$ns"; done
ip link del "$BASTION_LINK" 2>/dev/null
rm -f "$RUN"/*.pid
log "stopped ${#pids[@]} process(es) and removed the namespaces in $(elapsed "$T0") s"

if [[ ${2:-} == --purge ]]; then
  rm -rf "$STATE"
  log "removed $STATE"
fi
exit 0
