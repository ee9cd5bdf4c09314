#!/usr/bin/env bash
# Concurrency check of the SQLite-backed control plane of scripts/openstack/up.sh: N extra
# servers created, stopped, started, rebooted and deleted all at once over curl, plus N
# security groups created and deleted at once in Neutron; then the services' logs must not
# show "database is locked". The seeded servers are left alone.
#
#   test/integration/openstack/concurrency.sh [STATE_DIR] [N]   (defaults: var/openstack, 8)
set -Eeuo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
STATE=$(cd "${1:-$REPO/var/openstack}" && pwd)
N=${2:-8}
SEED=$STATE/seed.json
[[ -s $SEED ]] || { echo "no control plane in $STATE" >&2; exit 2; }
# shellcheck source=/dev/null
source "$STATE/env.sh"
NOVA=$(jq -r .endpoints.compute "$SEED")
NEUTRON=$(jq -r .endpoints.network "$SEED")
TOKEN=$(/usr/bin/openstack --os-cloud gameday-it token issue -f value -c id)
IMAGE=$(jq -r .image.id "$SEED")
FLAVOR=$(jq -r .flavor.id "$SEED")
TAG=cc$$
TMP=$(mktemp -d)
# whatever this run created and did not delete (after a failure) goes away on exit
cleanup() {
  local id
  for id in $(cat "$TMP"/id.* 2>/dev/null); do
    curl -sS -o /dev/null -m 30 -X DELETE -K <(printf 'header = "X-Auth-Token: %s"\n' "$TOKEN") "$NOVA/servers/$id" || true
  done
  for id in $(cat "$TMP"/sg.* 2>/dev/null); do
    curl -sS -o /dev/null -m 30 -X DELETE -K <(printf 'header = "X-Auth-Token: %s"\n' "$TOKEN") "$NEUTRON/v2.0/security-groups/$id" || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
LOGS=(nova-api nova-conductor nova-scheduler nova-compute neutron placement glance keystone)
declare -A BEFORE=()
for l in "${LOGS[@]}"; do BEFORE[$l]=$(wc -l <"$STATE/log/$l.log" 2>/dev/null || echo 0); done

req() { # METHOD URL [JSON] → prints HTTP status; body in $TMP/body.$I
  curl -sS -g -m 120 -o "$TMP/body.${I:-x}" -w '%{http_code}' -X "$1" \
    -H 'OpenStack-API-Version: compute 2.37' -H 'Content-Type: application/json' \
    -K <(printf 'header = "X-Auth-Token: %s"\n' "$TOKEN") ${3:+--data-binary "$3"} "$2"
}
FAILS=0
all() { # LABEL CMD... → runs CMD for i in 1..N in parallel; counts non-2xx
  local label=$1 t0=$EPOCHREALTIME i bad=0
  shift
  for i in $(seq 1 "$N"); do (I=$i "$@" "$i" >"$TMP/st.$i") & done
  wait
  for i in $(seq 1 "$N"); do [[ $(<"$TMP/st.$i") == 2?? ]] || { bad=$((bad + 1)); echo "  $label #$i → $(<"$TMP/st.$i")"; }; done
  FAILS=$((FAILS + bad))
  printf '%-34s %2d requests, %d failed, %.2fs\n' "$label" "$N" "$bad" "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
}
ids() { for i in $(seq 1 "$N"); do cat "$TMP/id.$i"; done; }
wait_all() { # STATUS → every test server reaches it with no task; or "gone"
  local want=$1 deadline=$((SECONDS + 120)) left t0=$EPOCHREALTIME
  while ((SECONDS < deadline)); do
    left=0
    for id in $(ids); do
      st=$(curl -sS -g -m 30 -K <(printf 'header = "X-Auth-Token: %s"\n' "$TOKEN") "$NOVA/servers/$id" -w '\n%{http_code}')
      code=${st##*$'\n'}
      if [[ $want == gone ]]; then
        [[ $code == 404 ]] || left=$((left + 1))
      else
        [[ $(jq -r '.server.status + "/" + (.server."OS-EXT-STS:task_state" // "-")' <<<"${st%$'\n'*}") == "$want/-" ]] || left=$((left + 1))
      fi
    done
    if ((left == 0)); then
      printf '%-34s all %d after %.2fs\n' "  → $want" "$N" "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
      return 0
    fi
    sleep 0.3
  done
  echo "  → $want: $left of $N still not there after 120s"
  FAILS=$((FAILS + left))
}

create() {
  local s
  s=$(req POST "$NOVA/servers" "$(jq -nc --arg n "$TAG-$1" --arg i "$IMAGE" --arg f "$FLAVOR" \
    '{server: {name: $n, imageRef: $i, flavorRef: $f, networks: "none"}}')")
  jq -r .server.id "$TMP/body.${I:-x}" >"$TMP/id.$1" 2>/dev/null || true
  echo "$s"
}
action() { req POST "$NOVA/servers/$(<"$TMP/id.$2")/action" "$1"; }
delete() { req DELETE "$NOVA/servers/$(<"$TMP/id.$1")"; }
meta() { req PUT "$NOVA/servers/$(<"$TMP/id.$1")/metadata/gameday:run" '{"meta": {"gameday:run": "cc"}}'; }
sg_create() {
  local s
  s=$(req POST "$NEUTRON/v2.0/security-groups" "$(jq -nc --arg n "$TAG-$1" '{security_group: {name: $n}}')")
  jq -r .security_group.id "$TMP/body.${I:-x}" >"$TMP/sg.$1" 2>/dev/null || true
  echo "$s"
}
sg_rule() {
  req POST "$NEUTRON/v2.0/security-group-rules" "$(jq -nc --arg g "$(<"$TMP/sg.$1")" \
    '{security_group_rule: {security_group_id: $g, direction: "ingress", protocol: "tcp", port_range_min: 22, port_range_max: 22}}')"
}
sg_delete() { req DELETE "$NEUTRON/v2.0/security-groups/$(<"$TMP/sg.$1")"; }

all "create $N servers" create
wait_all ACTIVE
all "os-stop" action '{"os-stop": null}'
wait_all SHUTOFF
all "os-start" action '{"os-start": null}'
wait_all ACTIVE
all "reboot HARD" action '{"reboot": {"type": "HARD"}}'
wait_all ACTIVE
all "metadata set" meta
all "delete" delete
wait_all gone
all "neutron: create security groups" sg_create
all "neutron: add a rule to each" sg_rule
all "neutron: delete them" sg_delete

locked=0
for l in "${LOGS[@]}"; do
  n=$(tail -n +$((BEFORE[$l] + 1)) "$STATE/log/$l.log" 2>/dev/null | grep -c 'database is locked' || true)
  ((n == 0)) || echo "  $l.log: $n line(s) with \"database is locked\""
  locked=$((locked + n))
done
echo "\"database is locked\" in the service logs during the run: $locked"
echo "concurrency: $FAILS failure(s)"
((FAILS == 0 && locked == 0))
