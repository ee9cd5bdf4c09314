#!/usr/bin/env bash
# A real three-host GlusterFS on this machine, for the integration suite and the benches:
# three glusterd "hosts" in network namespaces, each with its own mount namespace and an
# sshd (so gameday's real SSH transport is exercised), a replica-3 volume `home`, and a
# FUSE client mount in a fourth namespace. Layout in lib.sh. Writes $STATE/env (addresses,
# pids, key and known_hosts paths) for the tests. Needs root, glusterfs-server,
# glusterfs-client, iptables and openssh-server.
#
#   scripts/glusterfs/up.sh [STATE_DIR]      (default: <repo>/var/glusterfs)
set -euo pipefail
# shellcheck source=scripts/glusterfs/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

set_paths "$(state_dir "${1:-}")"
T0=$(now)
for bin in glusterd gluster sshd ssh-keygen iptables nsenter unshare ip mount.glusterfs; do
  command -v "$bin" >/dev/null || die "$bin is not installed (apt-get install glusterfs-server glusterfs-client iptables openssh-server)"
done
[[ -c /dev/fuse ]] || die "/dev/fuse is missing: the client mount needs FUSE"
if ip netns list | grep -q "^$GFS_PREFIX-"; then
  die "namespaces $GFS_PREFIX-* exist already: run scripts/glusterfs/down.sh $STATE first"
fi
mkdir -p "$RUN" "$SSH_DIR" "$MNT"

# --- network: a bridge namespace, one veth per host, the client, and this machine's side
ip netns add "$BRIDGE_NS"
ip -n "$BRIDGE_NS" link add br0 type bridge
ip -n "$BRIDGE_NS" link set br0 up
ip -n "$BRIDGE_NS" link set lo up
attach() { # attach NS IP VETH → veth pair, one end in the bridge, the other in NS with IP
  local ns=$1 addr=$2 veth=$3
  ip link add "$veth" type veth peer name "$veth-p"
  ip link set "$veth-p" netns "$BRIDGE_NS"
  ip -n "$BRIDGE_NS" link set "$veth-p" master br0 up
  if [[ -n $ns ]]; then
    ip link set "$veth" netns "$ns"
    ip -n "$ns" link set "$veth" name eth0
    ip -n "$ns" addr add "$addr/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
  else
    ip addr add "$addr/24" dev "$veth"
    ip link set "$veth" up
  fi
}
for n in "${GFS_HOSTS[@]}"; do
  ip netns add "$(host_ns "$n")"
  attach "$(host_ns "$n")" "$(host_ip "$n")" "$GFS_PREFIX-v$n"
done
ip netns add "$CLIENT_NS"
attach "$CLIENT_NS" "$CLIENT_IP" "$GFS_PREFIX-vc"
attach "" "$BASTION_IP" "$BASTION_LINK"
log "network: 3 hosts, a client and this machine on $GFS_NET.0/24 ($(elapsed "$T0") s)"

# --- ssh: one client key, a host key per host, known_hosts naming each host's address
[[ -s $SSH_DIR/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C gameday-it -f "$SSH_DIR/id_ed25519"
cp "$SSH_DIR/id_ed25519.pub" "$SSH_DIR/authorized_keys"
chmod 700 "$SSH_DIR"
: >"$SSH_DIR/known_hosts"

# --- hosts: glusterd in a private mount namespace, then sshd in the same namespaces
for n in "${GFS_HOSTS[@]}"; do
  d=$(host_dir "$n")
  rm -rf "$d"
  mkdir -p "$d/lib" "$d/log" "$d/run/sshd" "$d/bricks" "$d/etc"
  cp -a /var/lib/glusterd/. "$d/lib/"
  rm -f "$d/lib/glusterd.info"
  sed -e "s|^\(\s*option ping-timeout\).*|\1 10|" \
      -e "s|^\(\s*option transport-type socket\)|\1\n    option transport.socket.bind-address $(host_ip "$n")|" \
      /etc/glusterfs/glusterd.vol >"$d/etc/glusterd.vol"
  grep -q "bind-address $(host_ip "$n")" "$d/etc/glusterd.vol" || die "could not set bind-address in glusterd.vol"
  ssh-keygen -q -t ed25519 -N '' -C "host-$n" -f "$d/etc/ssh_host_ed25519_key"
  printf '%s %s\n' "$(host_ip "$n")" "$(cut -d' ' -f1,2 "$d/etc/ssh_host_ed25519_key.pub")" >>"$SSH_DIR/known_hosts"
  cat >"$d/etc/sshd_config" <<CONF
ListenAddress $(host_ip "$n"):22
HostKey $d/etc/ssh_host_ed25519_key
PidFile none
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile $SSH_DIR/authorized_keys
StrictModes no
UsePAM no
MaxSessions 32
MaxStartups 64:30:128
LogLevel ERROR
CONF
  setsid ip netns exec "$(host_ns "$n")" unshare --mount --propagation private sh -c '
    mount --bind "$1/lib" /var/lib/glusterd &&
    mount --bind "$1/log" /var/log/glusterfs &&
    mount --bind "$1/run" /run &&
    mkdir -p /bricks && mount --bind "$1/bricks" /bricks &&
    exec glusterd -N -f "$1/etc/glusterd.vol" -p /run/glusterd.pid' sh "$d" \
    >>"$d/glusterd.out" 2>&1 </dev/null &
  echo $! >"$RUN/glusterd-$n.pid"
done
# each glusterd answers on its address before its sshd joins its namespaces
for n in "${GFS_HOSTS[@]}"; do
  deadline=$((SECONDS + 30))
  until ip netns exec "$(host_ns "$n")" bash -c "exec 3<>/dev/tcp/$(host_ip "$n")/24007" 2>/dev/null; do
    ((SECONDS < deadline)) || die "glusterd of host $n not listening after 30 s (see $(host_dir "$n")/glusterd.out)"
    pid_of "glusterd-$n" >/dev/null || die "glusterd of host $n exited (see $(host_dir "$n")/glusterd.out)"
    sleep 0.1
  done
  pid=$(pid_of "glusterd-$n")
  setsid nsenter -t "$pid" -m -n /usr/sbin/sshd -D -e -f "$(host_dir "$n")/etc/sshd_config" \
    >>"$(host_dir "$n")/sshd.out" 2>&1 </dev/null &
  echo $! >"$RUN/sshd-$n.pid"
done
log "glusterd and sshd started on 3 hosts ($(elapsed "$T0") s)"

# --- the volume: peers, replica 3, short timeouts so a partition is seen in seconds
for n in 2 3; do host_gluster 1 peer probe "$(host_ip "$n")" >/dev/null; done
deadline=$((SECONDS + 60))
until [[ $(host_gluster 1 pool list | grep -c Connected) == 3 ]]; do
  ((SECONDS < deadline)) || die "peers not connected after 60 s"
  sleep 0.2
done
bricks=()
for n in "${GFS_HOSTS[@]}"; do bricks+=("$(host_ip "$n"):/bricks/$GFS_VOLUME"); done
host_gluster 1 volume create "$GFS_VOLUME" replica 3 "${bricks[@]}" force >/dev/null
host_gluster 1 volume set "$GFS_VOLUME" network.ping-timeout 5 >/dev/null
host_gluster 1 volume set "$GFS_VOLUME" cluster.heal-timeout 10 >/dev/null
host_gluster 1 volume start "$GFS_VOLUME" >/dev/null
log "volume $GFS_VOLUME started ($(elapsed "$T0") s)"

# --- the client mount: the FUSE process lives in the client namespace, the mount in ours
deadline=$((SECONDS + 30))
until nsenter --net="/run/netns/$CLIENT_NS" mount -t glusterfs "$(host_ip 1):/$GFS_VOLUME" "$MNT" 2>>"$STATE/mount.out"; do
  ((SECONDS < deadline)) || die "cannot mount $GFS_VOLUME (see $STATE/mount.out)"
  sleep 0.5
done
mountpoint -q "$MNT" || die "$MNT is not a mount point after mount"
pgrep -f "volfile-id=/$GFS_VOLUME .*$MNT" | head -1 >"$RUN/client.pid" || true

# --- ssh answers on every host with the client key and the recorded host keys
for n in "${GFS_HOSTS[@]}"; do
  deadline=$((SECONDS + 20))
  until ssh -q -o BatchMode=yes -o UserKnownHostsFile="$SSH_DIR/known_hosts" -o StrictHostKeyChecking=yes \
      -o ConnectTimeout=2 -i "$SSH_DIR/id_ed25519" "root@$(host_ip "$n")" true; do
    ((SECONDS < deadline)) || die "sshd of host $n does not answer (see $(host_dir "$n")/sshd.out)"
    sleep 0.2
  done
done

cat >"$STATE/env" <<ENV
GFS_STATE=$STATE
GFS_VOLUME=$GFS_VOLUME
GFS_HOST_IPS="$(for n in "${GFS_HOSTS[@]}"; do printf '%s ' "$(host_ip "$n")"; done)"
GFS_HOST_NS="$(for n in "${GFS_HOSTS[@]}"; do printf '%s ' "$(host_ns "$n")"; done)"
GFS_CLIENT_NS=$CLIENT_NS
GFS_MOUNT=$MNT
GFS_SSH_KEY=$SSH_DIR/id_ed25519
GFS_KNOWN_HOSTS=$SSH_DIR/known_hosts
ENV
log "ready in $(elapsed "$T0") s: volume $GFS_VOLUME mounted at $MNT; facts in $STATE/env"
