#!/usr/bin/env bash
# Proves the control plane of scripts/openstack/up.sh with the real `openstack` CLI and
# curl: the operations gameday's OpenStack faults and probes rely on, each timed.
#
#   test/integration/openstack/control-plane.sh [STATE_DIR]   (default: <repo>/var/openstack)
#
# Leaves the seeded world as it found it (servers ACTIVE, ports and security groups as
# seeded, no metadata, no extra security group). Exit status 0 only if every check passed.
set -Eeuo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
STATE=$(cd "${1:-$REPO/var/openstack}" && pwd)
[[ -s $STATE/clouds.yaml && -s $STATE/seed.json ]] || {
  echo "no control plane in $STATE: run scripts/openstack/up.sh first" >&2
  exit 2
}
# shellcheck source=/dev/null
source "$STATE/env.sh"
export OS_CLOUD=gameday-it
OS=/usr/bin/openstack
SEED=$STATE/seed.json
NOVA=$(jq -r .endpoints.compute "$SEED")
MV=2.37 # the microversion gameday's client speaks for server actions

PASS=0
FAIL=0
RESULTS=()
now() { printf '%s' "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

# check NAME CMD... → runs CMD, records pass/fail and how long it took
check() {
  local name=$1 t0 out rc=0
  shift
  t0=$(now)
  out=$("$@" 2>&1) || rc=$?
  local dt
  dt=$(elapsed "$t0")
  if ((rc == 0)); then
    PASS=$((PASS + 1))
    RESULTS+=("$(printf 'ok    %6ss  %s' "$dt" "$name")")
    printf 'ok    %6ss  %s\n' "$dt" "$name"
  else
    FAIL=$((FAIL + 1))
    RESULTS+=("$(printf 'FAIL  %6ss  %s' "$dt" "$name")")
    printf 'FAIL  %6ss  %s\n%s\n' "$dt" "$name" "$(printf '%s\n' "$out" | tail -15 | sed 's/^/      /')"
  fi
}

# --- curl against Nova with a token of the gameday user (never on a command line)
TOKEN=
ADMIN_TOKEN=
nova() { # METHOD PATH [JSON] → body; HTTP status in $STATUS_FILE
  local body=${3-} args=(-sS -g -m 30 -X "$1" -H "OpenStack-API-Version: compute $MV"
    -H "X-OpenStack-Nova-API-Version: $MV" -H 'Accept: application/json')
  [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary @-)
  local out
  out=$(curl "${args[@]}" -K <(printf 'header = "X-Auth-Token: %s"\n' "${AS_TOKEN:-$TOKEN}") \
    -w '\n%{http_code}' "$NOVA$2" <<<"$body")
  echo "${out##*$'\n'}" >"$STATUS_FILE"
  printf '%s' "${out%$'\n'*}"
}
STATUS_FILE=$(mktemp)
trap 'rm -f "$STATUS_FILE"' EXIT
status() { cat "$STATUS_FILE"; }

sid() { jq -r --arg n "$1" '.servers[$n].id' "$SEED"; }
pid_of_port() { jq -r --arg n "$1" '.servers[$n].port' "$SEED"; }
server_state() { nova GET "/servers/$1" | jq -r '.server.status + "/" + (.server."OS-EXT-STS:task_state" // "-")'; }

# wait_status ID STATUS [SECONDS] → polls until status is STATUS with no task in progress
wait_status() {
  local id=$1 want=$2 deadline=$((SECONDS + ${3:-30})) st
  while ((SECONDS < deadline)); do
    st=$(server_state "$id")
    [[ $st == "$want/-" ]] && return 0
    [[ $st == ERROR/* ]] && { echo "server $id went to ERROR"; return 1; }
    sleep 0.1
  done
  echo "server $id: still $st after ${3:-30}s (wanted $want)"
  return 1
}
# action_done ID ACTION → Nova recorded the action's events as finished with success (the
# events are admin-only). A 202 alone proves nothing: Nova can accept an action and then
# silently not perform it, and a reboot is over before a poll sees REBOOT.
action_done() {
  local id=$1 action=$2 deadline=$((SECONDS + 30)) ev
  while ((SECONDS < deadline)); do
    ev=$(AS_TOKEN=$ADMIN_TOKEN nova GET "/servers/$id/os-instance-actions" | jq -r --arg a "$action" \
      '[.instanceActions[] | select(.action == $a)] | sort_by(.start_time) | last | .request_id // empty')
    if [[ -n $ev ]]; then
      local r
      r=$(AS_TOKEN=$ADMIN_TOKEN nova GET "/servers/$id/os-instance-actions/$ev" |
        jq -r '[.instanceAction.events[]? | .result] | if length == 0 then "pending" elif all(. == "Success") then "Success" elif any(. == null) then "pending" else "Error" end')
      [[ $r == Success ]] && return 0
      [[ $r == Error ]] && { echo "action $action on $id failed"; return 1; }
    fi
    sleep 0.2
  done
  echo "action $action on $id not finished after 30s"
  return 1
}

# ---------------------------------------------------------------------------------------
token_password() { [[ -n $($OS --os-cloud gameday-it token issue -f value -c id) ]]; }
token_appcred() { [[ -n $($OS --os-cloud gameday-it-appcred token issue -f value -c id) ]]; }
check "token with password (openstack --os-cloud gameday-it token issue)" token_password
check "token with application credential (--os-cloud gameday-it-appcred)" token_appcred
TOKEN=$($OS token issue -f value -c id)
ADMIN_TOKEN=$($OS --os-cloud gameday-it-admin token issue -f value -c id)

catalog_types() {
  local types
  types=$($OS catalog list -f json | jq -r '.[].Type' | sort | tr '\n' ' ')
  echo "catalog: $types"
  [[ " $types " == *" compute "* && " $types " == *" network "* ]]
}
check "catalog has compute and network" catalog_types

server_list() {
  local names s
  names=$($OS server list -f json | jq -r '.[].Name' | sort | tr '\n' ' ')
  echo "servers: $names"
  for s in master worker-001 worker-002 worker-003 brick-001; do
    [[ " $names" == *" $s "* ]] || return 1
  done
}
check "openstack server list shows the 5 seeded servers" server_list

W1=$(sid worker-001)
W2=$(sid worker-002)
stop_w1() { $OS server stop worker-001 && wait_status "$W1" SHUTOFF 30 && action_done "$W1" stop; }
check "server stop worker-001 → SHUTOFF" stop_w1
start_w1() { $OS server start worker-001 && wait_status "$W1" ACTIVE 30 && action_done "$W1" start; }
check "server start worker-001 → ACTIVE" start_w1

start_active_409() {
  nova POST "/servers/$W1/action" '{"os-start": null}' >/dev/null
  echo "os-start on ACTIVE → HTTP $(status)"
  [[ $(status) == 409 ]]
}
check "os-start on an ACTIVE server → 409 (curl, microversion $MV)" start_active_409

reboot_hard() { $OS server reboot --hard worker-001 && action_done "$W1" reboot && wait_status "$W1" ACTIVE 30; }
check "server reboot --hard worker-001 → ACTIVE" reboot_hard
pause() { $OS server pause worker-002 && wait_status "$W2" PAUSED 30; }
check "server pause worker-002 → PAUSED" pause
unpause() { $OS server unpause worker-002 && wait_status "$W2" ACTIVE 30; }
check "server unpause worker-002 → ACTIVE" unpause
suspend() { $OS server suspend worker-002 && wait_status "$W2" SUSPENDED 30; }
check "server suspend worker-002 → SUSPENDED" suspend
resume() { $OS server resume worker-002 && wait_status "$W2" ACTIVE 30; }
check "server resume worker-002 → ACTIVE" resume

# the keys gameday marks servers with (src/targets/openstack/markers.ts)
meta_set() {
  $OS server set --property gameday:run=it-run-1 --property gameday:fault=it-fault-1 worker-002
  [[ $(nova GET "/servers/$W2/metadata" | jq -r '.metadata["gameday:fault"]') == it-fault-1 ]]
}
check "server set --property gameday:run/gameday:fault (metadata) on worker-002" meta_set
meta_unset() {
  $OS server unset --property gameday:run --property gameday:fault worker-002
  [[ $(nova GET "/servers/$W2/metadata" | jq -c .metadata) == "{}" ]]
}
check "server unset --property (metadata) on worker-002" meta_unset

port_by_device() {
  local ports
  ports=$($OS port list --device-id "$W1" -f json | jq -r '.[].ID')
  echo "ports of worker-001: $ports"
  [[ $ports == "$(pid_of_port worker-001)" ]]
}
check "port list --device-id <worker-001>" port_by_device

MASTER_PORT=$(pid_of_port master)
SG=$(jq -r .security_group.id "$SEED")
port_sg() {
  local before after
  before=$($OS port show "$MASTER_PORT" -f json | jq -c '.security_group_ids | sort')
  $OS port set --security-group "$SG" "$MASTER_PORT"
  after=$($OS port show "$MASTER_PORT" -f json | jq -c '.security_group_ids')
  echo "master port security groups: $before → $after"
  jq -e --arg sg "$SG" 'index($sg) != null' <<<"$after" >/dev/null || return 1
  # back to what it was
  $OS port unset --security-group "$SG" "$MASTER_PORT"
  [[ $($OS port show "$MASTER_PORT" -f json | jq -c '.security_group_ids | sort') == "$before" ]]
}
check "port set --security-group jhub-workers on master's port (then unset)" port_sg

# gameday records a port's prior state as tags before changing it
port_tags() {
  $OS port set --tag "gameday-sg:$SG" --tag gameday-up:true "$MASTER_PORT"
  [[ $($OS port list --tags gameday-up:true -f value -c ID) == "$MASTER_PORT" ]] || return 1
  $OS port unset --tag "gameday-sg:$SG" --tag gameday-up:true "$MASTER_PORT"
  [[ $($OS port show "$MASTER_PORT" -f json | jq -c .tags) == "[]" ]]
}
check "port set/unset --tag, port list --tags" port_tags

# (tag gameday-it-cp: gameday's own integration tests count the groups tagged gameday-it)
SGNAME=gameday-it-cp-$$
sg_cleanup() { $OS security group delete "$SGNAME" >/dev/null 2>&1 || true; }
trap 'rm -f "$STATUS_FILE"; sg_cleanup' EXIT
sg_tag() {
  $OS security group create --tag gameday-it-cp --description "control-plane check" "$SGNAME" -f value -c id
  local listed rc=0
  listed=$($OS security group list --tags gameday-it-cp -f json | jq -r '.[].Name')
  echo "tagged: $listed"
  grep -qx "$SGNAME" <<<"$listed" || rc=1
  $OS security group delete "$SGNAME" || rc=1
  ! $OS security group show "$SGNAME" >/dev/null 2>&1 || rc=1
  return $rc
}
check "security group create --tag / list --tags / delete" sg_tag

# ---------------------------------------------------------------------------------------
# The same lifecycle over plain curl (microversion 2.37), timed from the request to the
# state Nova reports: what gameday's own client sees, without the CLI's ~1.5 s start-up.
W3=$(sid worker-003)
# act ACTION-JSON WANT-STATUS [INSTANCE-ACTION] → POST, expect 202, poll the status
act() {
  nova POST "/servers/$W3/action" "$1" >/dev/null
  [[ $(status) == 202 ]] || { echo "$1 → HTTP $(status)"; return 1; }
  wait_status "$W3" "$2" 30 || return 1
  [[ -z ${3:-} ]] || action_done "$W3" "$3"
}
check "curl os-stop worker-003 → SHUTOFF" act '{"os-stop": null}' SHUTOFF stop
check "curl os-start worker-003 → ACTIVE" act '{"os-start": null}' ACTIVE start
check "curl reboot SOFT worker-003 → ACTIVE" act '{"reboot": {"type": "SOFT"}}' ACTIVE reboot
check "curl reboot HARD worker-003 → ACTIVE" act '{"reboot": {"type": "HARD"}}' ACTIVE reboot
check "curl pause worker-003 → PAUSED" act '{"pause": null}' PAUSED
check "curl unpause worker-003 → ACTIVE" act '{"unpause": null}' ACTIVE
check "curl suspend worker-003 → SUSPENDED" act '{"suspend": null}' SUSPENDED
check "curl resume worker-003 → ACTIVE" act '{"resume": null}' ACTIVE
conflict() {
  nova POST "/servers/$W3/action" '{"unpause": null}' >/dev/null
  echo "unpause on ACTIVE → HTTP $(status)"
  [[ $(status) == 409 ]]
}
check "curl unpause on an ACTIVE server → 409" conflict

echo
echo "control plane: $PASS passed, $FAIL failed"
((FAIL == 0))
