# shellcheck shell=bash
# Shared helpers for scripts/glusterfs/{up,down}.sh. Sourced, not executed.
#
# The layout, all made by up.sh and removed by down.sh:
#   network namespaces  gdgfs-br (a bridge), gdgfs-1..3 (the brick hosts), gdgfs-c (the client)
#   addresses           10.231.0.11..13 (hosts), 10.231.0.20 (client), 10.231.0.1 (this machine's
#                       side of the bridge, the "bastion" gameday connects from)
#   per host            $STATE/hosts/N/{lib,log,run,bricks} bind-mounted over /var/lib/glusterd,
#                       /var/log/glusterfs, /run and /bricks in a private mount namespace,
#                       where glusterd and sshd run
#   volume              home, replica 3, bricks 10.231.0.1N:/bricks/home, FUSE-mounted at $STATE/mnt
# Every daemon is started with setsid and recorded in $STATE/run/<name>.pid.

GFS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GFS_PREFIX=gdgfs
GFS_NET=10.231.0
GFS_HOSTS=(1 2 3)
GFS_VOLUME=home

state_dir() {
  local d=${1:-$GFS_REPO/var/glusterfs}
  mkdir -p "$d"
  (cd "$d" && pwd)
}

set_paths() {
  STATE=$1
  RUN=$STATE/run
  SSH_DIR=$STATE/ssh
  MNT=$STATE/mnt
}

host_ns() { printf '%s-%s' "$GFS_PREFIX" "$1"; }
host_ip() { printf '%s.%s' "$GFS_NET" "$((10 + $1))"; }
host_dir() { printf '%s/hosts/%s' "$STATE" "$1"; }
CLIENT_NS=$GFS_PREFIX-c
BRIDGE_NS=$GFS_PREFIX-br
CLIENT_IP=$GFS_NET.20
BASTION_IP=$GFS_NET.1
BASTION_LINK=$GFS_PREFIX-0

LOG_TAG=glusterfs
# shellcheck source=scripts/common.sh
source "$GFS_REPO/scripts/common.sh"

# pid_of NAME → the recorded pid if that process is alive and leads its own session
pid_of() {
  local f=$RUN/$1.pid pid
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  printf '%s' "$pid"
}

# host_gluster N ARGS… → the gluster CLI of host N, inside its mount and network namespaces
host_gluster() {
  local n=$1 pid
  shift
  pid=$(pid_of "glusterd-$n") || die "glusterd of host $n is not running"
  nsenter -t "$pid" -m -n gluster --mode=script "$@"
}
