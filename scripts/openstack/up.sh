#!/usr/bin/env bash
# Bring up a real OpenStack (Debian bookworm's Zed packages) control plane on 127.0.0.1 for
# gameday's integration tests: RabbitMQ, Keystone, Placement, Glance, Nova (API, conductor,
# scheduler, and nova-compute with the fake virt driver) and Neutron (API only, ML2 with no
# mechanism driver). Every database is SQLite under the state directory.
#
#   scripts/openstack/up.sh [STATE_DIR]      (default: <repo>/var/openstack)
#   scripts/openstack/down.sh [STATE_DIR]
#
# Idempotent: re-running it on a live control plane only re-checks and re-seeds; after
# down.sh it restarts everything from the same databases (and recreates the servers, which
# the fake driver forgets when nova-compute restarts).
#
# Outputs (secrets only in files, mode 600, never on stdout):
#   $STATE/clouds.yaml   clouds gameday-it (password), gameday-it-appcred (application
#                        credential) and gameday-it-admin (cloud admin)
#   $STATE/env.sh        exports OS_CLIENT_CONFIG_FILE (and OS_CLOUD=gameday-it if unset)
#   $STATE/seed.json     names and ids of everything seeded
#
# Ports (127.0.0.1 only): keystone 5000, placement 8778, glance 9292, nova 8774,
# neutron 9696, rabbitmq 5672 (+ epmd 4369, erlang distribution 25672).
# Logs: $STATE/log/<service>.log. OPENSTACK_DEBUG=1: debug logging in every service.
# Notes, timings, pitfalls: .ci/openstack.md
set -Eeuo pipefail
# shellcheck source=scripts/openstack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

trap 'printf "[openstack] ERROR: up.sh failed at line %s: %s\n" "$LINENO" "$BASH_COMMAND" >&2' ERR
T_ALL=$(now)
# OPENSTACK_DEBUG=1 turns on debug logging in every service
DEBUG=false
[[ ${OPENSTACK_DEBUG:-0} == 1 ]] && DEBUG=true
set_paths "$(state_dir "${1:-}")"
umask 022
mkdir -p "$RUN" "$LOGS" "$ETC" "$DB" "$STATE/keystone" "$STATE/nova/instances" \
  "$STATE/nova/lock" "$STATE/glance/images" "$STATE/glance/staging" "$STATE/glance/tasks" \
  "$STATE/glance/lock" "$STATE/neutron/lock" "$STATE/placement" "$STATE/rabbitmq/home"
mkdir -p -m 700 "$SECRETS"
# secrets, and databases holding password hashes: root only
chmod 700 "$SECRETS" "$DB"

declare -A TIMING=()
TIMING_ORDER=()
timing() { TIMING[$1]=$2; TIMING_ORDER+=("$1"); }

H=127.0.0.1
KEYSTONE=http://$H:5000
KEYSTONE_V3=$KEYSTONE/v3
PLACEMENT=http://$H:8778
GLANCE=http://$H:9292
NOVA=http://$H:8774
NOVA_V21=$NOVA/v2.1
NEUTRON=http://$H:9696
REGION=RegionOne
RABBIT_URL="rabbit://guest:guest@$H:5672/" # guest may only log in over loopback: fine here
PY=/usr/bin/python3

# ---------------------------------------------------------------------------------------
# 1. Packages
# ---------------------------------------------------------------------------------------
PACKAGES=(keystone python3-openstackclient rabbitmq-server placement-api nova-api
  nova-conductor nova-scheduler python3-nova glance-api neutron-server uwsgi
  uwsgi-plugin-python3 jq curl sqlite3 openssl procps)
t0=$(now)
missing=()
for p in "${PACKAGES[@]}"; do
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true) == installed ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]} (and dependencies) from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >"$LOGS/apt.log" 2>&1 || { tail -20 "$LOGS/apt.log" >&2; die "apt-get update failed"; }
  apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "${PACKAGES[@]}" \
    >>"$LOGS/apt.log" 2>&1 || { tail -30 "$LOGS/apt.log" >&2; die "apt-get install failed (log: $LOGS/apt.log)"; }
  timing install "$(elapsed "$t0")"
  log "installed in ${TIMING[install]} s"
else
  timing "install (already there)" "$(elapsed "$t0")"
fi

# ---------------------------------------------------------------------------------------
# 2. Secrets (generated once, mode 600)
# ---------------------------------------------------------------------------------------
secret() { # NAME → prints the secret, generating it on first use
  local f=$SECRETS/$1
  if [[ ! -s $f ]]; then
    (umask 077 && openssl rand -hex 16 >"$f")
  fi
  chmod 600 "$f"
  cat "$f"
}
ADMIN_PW=$(secret admin-password)
GAMEDAY_PW=$(secret gameday-password)
declare -A SVC_PW=()
for u in nova placement glance neutron; do SVC_PW[$u]=$(secret "service-$u-password"); done

# ---------------------------------------------------------------------------------------
# 3. Configuration files (regenerated on every run; secret-bearing ones are mode 600)
# ---------------------------------------------------------------------------------------
sqlite_url() { printf 'sqlite:///%s/%s.sqlite' "$DB" "$1"; }
# Every Python process below loads pythonpath/sitecustomize.py. With
# OPENSTACK_SQLITE_BEGIN=immediate (Nova's and Neutron's processes) it makes oslo.db's
# SQLite transactions BEGIN IMMEDIATE, retried eventlet-friendly: concurrent writers
# otherwise fail with "database is locked" (see the file).
export PYTHONPATH=$OS_REPO/scripts/openstack/pythonpath${PYTHONPATH:+:$PYTHONPATH}
IMMEDIATE=(env OPENSTACK_SQLITE_BEGIN=immediate)
# WAL is a persistent property of the database file: set it before the schema is created.
wal() { sqlite3 "$DB/$1.sqlite" 'PRAGMA journal_mode=WAL;' >/dev/null; }

authtoken() { # SERVICE_USER → [keystone_authtoken] section
  cat <<EOF
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE
auth_url = $KEYSTONE
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = ${SVC_PW[$1]}
region_name = $REGION
service_token_roles_required = true
EOF
}
ksa() { # SECTION USER → keystoneauth section used by a service to call another one
  cat <<EOF
[$1]
auth_type = password
auth_url = $KEYSTONE
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $2
password = ${SVC_PW[$2]}
region_name = $REGION
valid_interfaces = public
EOF
}
write_conf() { # FILE ← stdin, mode 600
  local f=$1
  mkdir -p "$(dirname "$f")"
  (umask 077 && cat >"$f.tmp")
  mv -f "$f.tmp" "$f"
}

# --- RabbitMQ
mkdir -p "$ETC/rabbitmq" "$STATE/rabbitmq/mnesia" "$STATE/rabbitmq/log"
cat >"$ETC/rabbitmq/rabbitmq.conf" <<EOF
listeners.tcp.1 = $H:5672
loopback_users.guest = true
log.console = true
log.console.level = warning
log.file = false
EOF
echo '[].' >"$ETC/rabbitmq/enabled_plugins"
echo '[].' >"$ETC/rabbitmq/advanced.config"
: >"$ETC/rabbitmq/rabbitmq-env.conf"

# --- Keystone
write_conf "$ETC/keystone/keystone.conf" <<EOF
[DEFAULT]
use_stderr = true
debug = $DEBUG
[database]
connection = $(sqlite_url keystone)
[token]
provider = fernet
[fernet_tokens]
key_repository = $STATE/keystone/fernet-keys
[fernet_receipts]
key_repository = $STATE/keystone/fernet-keys
[credential]
key_repository = $STATE/keystone/credential-keys
[identity]
# bcrypt's cost factor: 12 by default, ~0.3-1 s per password check or change on this
# machine; a test bed needs no slow hashes (4 is bcrypt's minimum)
password_hash_rounds = 4
[cache]
# Without a cache one token validation runs ~470 SQL queries (the same role lookups over
# and over): 1.2 s. The in-process cache makes it 0.2 s cold, 0.02 s warm. Each uwsgi worker
# has its own cache, so keep entries short-lived (revocations reach the other worker late).
enabled = true
backend = dogpile.cache.memory
expiration_time = 5
[oslo_policy]
policy_dirs = $ETC/keystone/policy.d
EOF
mkdir -p "$ETC/keystone/policy.d"
cat >"$ETC/keystone/uwsgi.ini" <<EOF
[uwsgi]
plugins = python3
http-socket = $H:5000
wsgi-file = /usr/bin/keystone-wsgi-public
env = OS_KEYSTONE_CONFIG_FILES=$ETC/keystone/keystone.conf
master = true
processes = 2
# SQLite connections must not be shared between threads
threads = 1
# the app is loaded once, in the master, then forked (halves start-up CPU); safe because
# SQLAlchemy 1.4 keeps no SQLite file connection open (NullPool)
lazy-apps = false
# uwsgi's http-socket does not do keep-alive: clients reusing a connection get resets
add-header = Connection: close
die-on-term = true
need-app = true
buffer-size = 65535
thunder-lock = true
EOF

# --- Placement
write_conf "$ETC/placement/placement.conf" <<EOF
[DEFAULT]
use_stderr = true
debug = $DEBUG
[api]
auth_strategy = keystone
[placement_database]
connection = $(sqlite_url placement)
[oslo_policy]
policy_dirs = $ETC/placement/policy.d
$(authtoken placement)
EOF
mkdir -p "$ETC/placement/policy.d"
cat >"$ETC/placement/uwsgi.ini" <<EOF
[uwsgi]
plugins = python3
http-socket = $H:8778
wsgi-file = /usr/bin/placement-api
env = OS_PLACEMENT_CONFIG_DIR=$ETC/placement
master = true
# one worker: each worker syncs the trait table at start-up, and two of them at once lock
# each other out of SQLite ("database is locked", the worker dies, then uwsgi exits)
processes = 1
threads = 1
add-header = Connection: close
die-on-term = true
need-app = true
buffer-size = 65535
thunder-lock = true
EOF

# --- Glance (API only, file store, eventlet server)
write_conf "$ETC/glance/glance-api.conf" <<EOF
[DEFAULT]
use_stderr = true
debug = $DEBUG
bind_host = $H
bind_port = 9292
workers = 1
graceful_shutdown_timeout = 5
enabled_backends = fs:file
image_cache_dir = $STATE/glance/cache
[database]
connection = $(sqlite_url glance)
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $STATE/glance/images/
[os_glance_staging_store]
filesystem_store_datadir = $STATE/glance/staging/
[os_glance_tasks_store]
filesystem_store_datadir = $STATE/glance/tasks/
[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini
[oslo_concurrency]
lock_path = $STATE/glance/lock
[oslo_policy]
policy_dirs = $ETC/glance/policy.d
$(authtoken glance)
EOF
mkdir -p "$ETC/glance/policy.d"

# --- Nova
mkdir -p "$ETC/nova/policy.d"
cp -f /etc/nova/api-paste.ini "$ETC/nova/api-paste.ini"
write_conf "$ETC/nova/nova.conf" <<EOF
[DEFAULT]
use_stderr = true
debug = $DEBUG
host = gameday-it-compute
my_ip = $H
state_path = $STATE/nova
instances_path = $STATE/nova/instances
transport_url = $RABBIT_URL
compute_driver = fake.FakeDriver
enabled_apis = osapi_compute
osapi_compute_listen = $H
osapi_compute_listen_port = 8774
osapi_compute_workers = 1
metadata_listen = $H
rootwrap_config = /etc/nova/rootwrap.conf
# the fake driver keeps no disk: nothing to resize or migrate across hosts
allow_resize_to_same_host = true
# ports are created directly in Neutron by the seed; do not let nova rewrite its cache
heal_instance_info_cache_interval = -1
# periodic tasks (e.g. the scheduler's host discovery) start at once, not after 0-60 s
periodic_fuzzy_delay = 0
# heartbeat every 5 s (default 10): up.sh waits for a fresh one after starting a service
report_interval = 5
graceful_shutdown_timeout = 5
[api]
auth_strategy = keystone
[api_database]
connection = $(sqlite_url nova_api)
[database]
connection = $(sqlite_url nova)
[conductor]
workers = 1
[scheduler]
workers = 1
# map new compute hosts to cell1 by itself (the code of nova-manage cell_v2 discover_hosts)
discover_hosts_in_cells_interval = 2
[filter_scheduler]
# the fake hypervisor is huge; nothing to filter on
enabled_filters = ComputeFilter
[quota]
instances = 100
cores = 1000
ram = 1024000
[vnc]
enabled = false
[spice]
enabled = false
[wsgi]
api_paste_config = $ETC/nova/api-paste.ini
[oslo_concurrency]
lock_path = $STATE/nova/lock
[oslo_policy]
policy_dirs = $ETC/nova/policy.d
[oslo_messaging_notifications]
driver = noop
[cinder]
os_region_name = $REGION
[glance]
valid_interfaces = public
region_name = $REGION
$(authtoken nova)
$(ksa placement nova)
$(ksa neutron nova)
EOF

# --- Neutron (API only)
mkdir -p "$ETC/neutron/policy.d"
write_conf "$ETC/neutron/neutron.conf" <<EOF
[DEFAULT]
use_stderr = true
debug = $DEBUG
bind_host = $H
bind_port = 9696
state_path = $STATE/neutron
core_plugin = ml2
# tag, timestamp, revisions... are loaded by default; nothing else is needed
service_plugins =
auth_strategy = keystone
transport_url = $RABBIT_URL
graceful_shutdown_timeout = 5
# API in the main process; one RPC worker (neutron insists on one) and one for the rest
api_workers = 0
rpc_workers = 1
rpc_state_report_workers = 0
allow_overlapping_ips = true
dhcp_agent_notification = false
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
api_paste_config = /etc/neutron/api-paste.ini
[database]
connection = $(sqlite_url neutron)
[oslo_concurrency]
lock_path = $STATE/neutron/lock
[oslo_policy]
policy_dirs = $ETC/neutron/policy.d
[oslo_messaging_notifications]
driver = noop
[quotas]
# defaults (10 security groups, 100 rules, 50 ports per project) are tight for test runs
quota_security_group = 200
quota_security_group_rule = 2000
quota_port = 1000
quota_network = 100
quota_subnet = 100
$(authtoken neutron)
EOF
write_conf "$ETC/neutron/ml2_conf.ini" <<EOF
[ml2]
type_drivers = flat,vlan,vxlan
tenant_network_types = vxlan
# no mechanism driver: the API works, but no port is ever bound to a host
mechanism_drivers =
extension_drivers = port_security
[ml2_type_flat]
flat_networks = *
[ml2_type_vxlan]
vni_ranges = 1:1000
[securitygroup]
enable_security_group = true
firewall_driver = noop
EOF
NEUTRON_ARGS=(--config-file "$ETC/neutron/neutron.conf" --config-file "$ETC/neutron/ml2_conf.ini")
awk '/^\[/ { skip = ($0 == "[database]" || $0 == "[api_database]") } !skip' "$ETC/nova/nova.conf" |
  write_conf "$ETC/nova/nova-compute.conf"

# ---------------------------------------------------------------------------------------
# helpers: start, wait, REST
# ---------------------------------------------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/$H/$1") 2>/dev/null; }

# start NAME PORT CMD... → start unless already running (then returns 1)
STARTED=()
declare -A STARTED_AT=()
start() {
  local name=$1 port=$2
  shift 2
  if is_running "$name"; then return 1; fi
  if [[ $port != - ]] && port_busy "$port"; then
    die "$name: 127.0.0.1:$port is already taken by a process this script did not start"
  fi
  STARTED_AT[$name]=$(date -u +%Y-%m-%dT%H:%M:%S)
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
  STARTED+=("$name")
  return 0
}

# wait_until NAME TIMEOUT CMD... → polls CMD every 0.2 s; dies with the log tail on timeout
wait_until() {
  local name=$1 timeout=$2 deadline
  shift 2
  deadline=$(awk -v a="$EPOCHREALTIME" -v t="$timeout" 'BEGIN { printf "%d", a + t }')
  until "$@"; do
    if [[ -n ${PROC:-} ]] && ! is_running "$PROC"; then
      tail -30 "$LOGS/$PROC.log" >&2 || true
      die "$PROC exited while waiting for: $name"
    fi
    if ((${EPOCHREALTIME%.*} >= deadline)); then
      [[ -n ${PROC:-} ]] && { tail -30 "$LOGS/$PROC.log" >&2 || true; }
      die "timed out after ${timeout}s waiting for: $name"
    fi
    sleep 0.2
  done
}
http_ok() { # URL [CODES] → true if GET answers one of the codes (default 200)
  local code
  code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null || true)
  [[ " ${2:-200} " == *" $code "* ]]
}

# api METHOD URL [JSON] → body on stdout, status in $API_STATUS (file), token from $TOKEN.
# Extra headers: array API_HEADERS. The token goes through a curl config on a pipe, not argv.
API_HEADERS=()
API_STATUS_FILE=$RUN/.api-status
api() {
  local method=$1 url=$2 body=${3-} out code
  local args=(-sS -g -m 60 -X "$method" -H 'Accept: application/json')
  for h in "${API_HEADERS[@]}"; do args+=(-H "$h"); done
  if [[ -n $body ]]; then args+=(-H 'Content-Type: application/json' --data-binary @-); fi
  out=$(curl "${args[@]}" -K <(printf 'header = "X-Auth-Token: %s"\n' "$TOKEN") \
    -w '\n%{http_code}' "$url" <<<"$body") || { echo 000 >"$API_STATUS_FILE"; return 1; }
  code=${out##*$'\n'}
  echo "$code" >"$API_STATUS_FILE"
  printf '%s' "${out%$'\n'*}"
  [[ $code == 2?? ]]
}
api_status() { cat "$API_STATUS_FILE"; }
# must METHOD URL [JSON] → like api, but dies with the response on failure
must() {
  local out
  if ! out=$(api "$@"); then
    printf '%s\n' "$out" | head -c 2000 >&2
    die "$1 $2 → HTTP $(api_status)"
  fi
  printf '%s' "$out"
}

# token_for JSON-AUTH → prints a token (the request body goes through stdin)
token_from() {
  local hdr
  hdr=$(curl -sS -m 30 -D - -o /dev/null -H 'Content-Type: application/json' \
    --data-binary @- "$KEYSTONE_V3/auth/tokens") || return 1
  printf '%s' "$hdr" | awk 'tolower($1) == "x-subject-token:" { sub(/\r$/, "", $2); print $2 }'
}
password_token() { # USER PASSWORD PROJECT
  jq -n --arg u "$1" --arg p "$2" --arg pr "$3" '{auth: {identity: {methods: ["password"],
    password: {user: {name: $u, domain: {id: "default"}, password: $p}}},
    scope: {project: {name: $pr, domain: {id: "default"}}}}}' | token_from
}

# ---------------------------------------------------------------------------------------
# background jobs: bg NAME FUNCTION runs it once (marker $RUN/NAME.done), await NAME waits
# ---------------------------------------------------------------------------------------
declare -A JOB=()
# if up.sh dies while database jobs still run, stop them (daemons already started stay up:
# down.sh stops those)
stop_jobs() {
  local p
  for p in "${JOB[@]}"; do
    pkill -TERM -P "$p" 2>/dev/null || true
    kill -TERM "$p" 2>/dev/null || true
  done
}
trap stop_jobs EXIT
bg() {
  local name=$1 fn=$2
  [[ -e $RUN/$name.done ]] && return 0
  (
    trap - ERR
    st=$(now)
    "$fn" >>"$LOGS/$name.log" 2>&1
    echo "$(elapsed "$st")" >"$RUN/$name.seconds"
    touch "$RUN/$name.done"
  ) &
  JOB[$name]=$!
}
await() {
  local name=$1
  [[ -n ${JOB[$name]:-} ]] || return 0
  if ! wait "${JOB[$name]}"; then
    tail -30 "$LOGS/$name.log" >&2 || true
    die "$name failed (log: $LOGS/$name.log)"
  fi
  unset "JOB[$name]"
  log "$name done ($(cat "$RUN/$name.seconds") s)"
}

# ---------------------------------------------------------------------------------------
# 4. Databases and keys, all at once (they do not depend on each other or on any daemon);
#    RabbitMQ boots meanwhile.
# ---------------------------------------------------------------------------------------
t_db=$(now)
KCONF=(--config-file "$ETC/keystone/keystone.conf")
NCONF=(--config-file "$ETC/nova/nova.conf")
keystone_db() {
  wal keystone
  keystone-manage "${KCONF[@]}" db_sync
  OS_BOOTSTRAP_PASSWORD=$ADMIN_PW keystone-manage "${KCONF[@]}" bootstrap \
    --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-service-name keystone --bootstrap-region-id "$REGION" \
    --bootstrap-admin-url "$KEYSTONE_V3" --bootstrap-internal-url "$KEYSTONE_V3" \
    --bootstrap-public-url "$KEYSTONE_V3"
}
keystone_keys() {
  keystone-manage "${KCONF[@]}" fernet_setup --keystone-user root --keystone-group root
  keystone-manage "${KCONF[@]}" credential_setup --keystone-user root --keystone-group root
}
placement_db() {
  wal placement
  placement-manage --config-file "$ETC/placement/placement.conf" db sync
}
glance_db() {
  wal glance
  glance-manage --config-file "$ETC/glance/glance-api.conf" db_sync
}
nova_db() {
  export OPENSTACK_SQLITE_BEGIN=immediate
  # what `nova-manage api_db sync; cell_v2 map_cell0; cell_v2 create_cell; db sync` do,
  # in one Python process (each nova-manage run spends ~5 s importing nova here)
  wal nova_api && wal nova && wal nova_cell0
  "$PY" - "$ETC/nova/nova.conf" "$(sqlite_url nova_cell0)" "$(sqlite_url nova)" "$RABBIT_URL" <<'PYEOF'
import sys
conf, cell0, cell1, transport = sys.argv[1:5]
from oslo_log import log as logging
import nova.conf
from nova import config, objects
from nova.cmd import manage
CONF = nova.conf.CONF
config.parse_args(["nova-manage", "--config-file", conf])
logging.setup(CONF, "nova")
objects.register_all()
assert not manage.ApiDbCommands().sync(), "api_db sync failed"
assert not manage.CellV2Commands().map_cell0(database_connection=cell0), "map_cell0 failed"
rc = manage.CellV2Commands().create_cell(name="cell1", database_connection=cell1,
                                         transport_url=transport)
assert rc in (0, 2), "create_cell failed: %s" % rc   # 2: already exists
assert not manage.DbCommands().sync(), "db sync failed"   # cell1, and cell0 through its mapping
print("nova databases ready")
PYEOF
}
neutron_db() {
  # Neutron's alembic migrations use ALTER TABLE forms SQLite does not have: build the
  # schema from the models' metadata, then stamp the migrations as applied
  # (= `neutron-db-manage stamp heads`, in the same process).
  wal neutron
  "$PY" - "$(sqlite_url neutron)" "${NEUTRON_ARGS[@]}" <<'PYEOF'
import sys
import sqlalchemy
from neutron.db.migration.models import head
engine = sqlalchemy.create_engine(sys.argv[1])
head.get_metadata().create_all(engine)
engine.dispose()
from neutron.db.migration import cli
sys.argv = ["neutron-db-manage"] + sys.argv[2:] + ["stamp", "heads"]
cli.main()
print("neutron database ready")
PYEOF
}
bg keystone-db keystone_db
bg keystone-keys keystone_keys
bg placement-db placement_db
bg glance-db glance_db
bg nova-db nova_db
bg neutron-db neutron_db

t0=$(now)
export ERL_EPMD_ADDRESS=$H
# epmd is the Erlang hosts' name service: if one already listens (another Erlang program
# on this machine), RabbitMQ registers with it instead of a second one.
if ! is_running epmd && port_busy 4369; then
  log "epmd: using the one already listening on $H:4369 (not started by this script)"
else
  start epmd 4369 /usr/bin/epmd -address "$H" -port 4369 || true
  PROC=epmd wait_until "epmd listening" 10 port_busy 4369
fi
rabbit_env=(env HOME="$STATE/rabbitmq/home" RABBITMQ_NODENAME=rabbit@localhost
  RABBITMQ_USE_LONGNAME=false ERL_EPMD_ADDRESS=$H RABBITMQ_NODE_IP_ADDRESS=$H
  RABBITMQ_NODE_PORT=5672 RABBITMQ_DIST_PORT=25672
  RABBITMQ_CONF_ENV_FILE="$ETC/rabbitmq/rabbitmq-env.conf"
  RABBITMQ_CONFIG_FILE="$ETC/rabbitmq/rabbitmq.conf"
  RABBITMQ_ADVANCED_CONFIG_FILE="$ETC/rabbitmq/advanced.config"
  RABBITMQ_ENABLED_PLUGINS_FILE="$ETC/rabbitmq/enabled_plugins"
  RABBITMQ_MNESIA_BASE="$STATE/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$STATE/rabbitmq/log"
  RABBITMQ_PID_FILE="$STATE/rabbitmq/rabbit.pid"
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  RUNNING_UNDER_SYSTEMD=1)
# RUNNING_UNDER_SYSTEMD makes the script exec erl, so the pid we record is the VM's.
start rabbitmq 5672 "${rabbit_env[@]}" /usr/lib/rabbitmq/bin/rabbitmq-server || true

# ---------------------------------------------------------------------------------------
# 5. Daemons, each once its database exists; Keystone's service users and catalog (curl)
# ---------------------------------------------------------------------------------------
# Start every daemon as soon as what it needs exists. Placement, Glance, Neutron and
# nova-api do not talk to Keystone before their first request; nova-conductor,
# nova-scheduler and nova-compute need their service user and the catalog at start.
COMPUTE_FRESH=false
await placement-db
start placement 8778 /usr/bin/uwsgi --ini "$ETC/placement/uwsgi.ini" || true
await glance-db
start glance 9292 /usr/bin/glance-api --config-file "$ETC/glance/glance-api.conf" || true
await neutron-db
start neutron 9696 "${IMMEDIATE[@]}" /usr/bin/neutron-server "${NEUTRON_ARGS[@]}" || true
await keystone-db
await keystone-keys
start keystone 5000 /usr/bin/uwsgi --ini "$ETC/keystone/uwsgi.ini" || true
await nova-db
timing "databases ready" "$(elapsed "$T_ALL")"
start nova-api 8774 "${IMMEDIATE[@]}" /usr/bin/nova-api "${NCONF[@]}" || true
PROC=keystone wait_until "keystone $KEYSTONE_V3" 60 http_ok "$KEYSTONE_V3"
TOKEN=
PROC=keystone wait_until "admin token" 30 eval 'TOKEN=$(password_token admin "$ADMIN_PW" admin) && [[ -n $TOKEN ]]'
timing "keystone ready" "$(elapsed "$T_ALL")"

t0=$(now)
q() { jq -rn --arg v "$1" '$v|@uri'; }
# id_of COLLECTION-URL JSON-KEY NAME → id of the first element named NAME (or nothing)
id_of() { must GET "$1?name=$(q "$3")" | jq -r --arg k "$2" '.[$k][0].id // empty'; }

ensure_project() { # NAME DESCRIPTION → id
  local id
  id=$(id_of "$KEYSTONE_V3/projects" projects "$1")
  [[ -n $id ]] || id=$(must POST "$KEYSTONE_V3/projects" "$(jq -n --arg n "$1" --arg d "$2" \
    '{project: {name: $n, description: $d, domain_id: "default", enabled: true}}')" | jq -r .project.id)
  printf '%s' "$id"
}
ensure_user() { # NAME PASSWORD PROJECT_ID → id; the password is (re)set when it changed
  local id body mark
  body=$(jq -n --arg n "$1" --arg p "$2" --arg pr "$3" \
    '{user: {name: $n, password: $p, domain_id: "default", default_project_id: $pr, enabled: true}}')
  mark=$RUN/user-$1.pwsum
  id=$(id_of "$KEYSTONE_V3/users" users "$1")
  if [[ -z $id ]]; then
    id=$(must POST "$KEYSTONE_V3/users" "$body" | jq -r .user.id)
  elif [[ ! -s $mark || $(<"$mark") != "$(sha256sum <<<"$id$2" | cut -c1-64)" ]]; then
    must PATCH "$KEYSTONE_V3/users/$id" "$body" >/dev/null
  fi
  sha256sum <<<"$id$2" | cut -c1-64 >"$mark"
  printf '%s' "$id"
}
role_id() { id_of "$KEYSTONE_V3/roles" roles "$1"; }
grant() { must PUT "$KEYSTONE_V3/projects/$1/users/$2/roles/$3" >/dev/null; }

ADMIN_ROLE=$(role_id admin)
MEMBER_ROLE=$(role_id member)
READER_ROLE=$(role_id reader)
SERVICE_PROJECT=$(ensure_project service "OpenStack service users")
# keystonemiddleware forwards the calling service's own token as X-Service-Token when a
# service calls another on a user's behalf (nova → neutron, glance); with
# service_token_roles_required that token must carry the "service" role, or the call is 401.
SERVICE_ROLE=$(role_id service)
[[ -n $SERVICE_ROLE ]] || SERVICE_ROLE=$(must POST "$KEYSTONE_V3/roles" '{"role": {"name": "service"}}' | jq -r .role.id)
for u in nova placement glance neutron; do
  uid=$(ensure_user "$u" "${SVC_PW[$u]}" "$SERVICE_PROJECT")
  grant "$SERVICE_PROJECT" "$uid" "$ADMIN_ROLE"
  grant "$SERVICE_PROJECT" "$uid" "$SERVICE_ROLE"
done

ensure_endpoints() { # NAME TYPE URL
  local sid eps iface
  sid=$(must GET "$KEYSTONE_V3/services?type=$2" | jq -r '.services[0].id // empty')
  [[ -n $sid ]] || sid=$(must POST "$KEYSTONE_V3/services" "$(jq -n --arg n "$1" --arg t "$2" \
    '{service: {name: $n, type: $t, enabled: true}}')" | jq -r .service.id)
  eps=$(must GET "$KEYSTONE_V3/endpoints?service_id=$sid")
  for iface in public internal admin; do
    if [[ -z $(jq -r --arg i "$iface" --arg u "$3" \
      '.endpoints[] | select(.interface == $i and .url == $u) | .id' <<<"$eps") ]]; then
      must POST "$KEYSTONE_V3/endpoints" "$(jq -n --arg s "$sid" --arg i "$iface" --arg u "$3" \
        --arg r "$REGION" '{endpoint: {service_id: $s, interface: $i, url: $u, region_id: $r, enabled: true}}')" >/dev/null
    fi
  done
}
ensure_endpoints nova compute "$NOVA_V21"
ensure_endpoints neutron network "$NEUTRON"
ensure_endpoints glance image "$GLANCE"
ensure_endpoints placement placement "$PLACEMENT"
timing "catalog and service users registered" "$(elapsed "$T_ALL")"

# ---------------------------------------------------------------------------------------
# 6. nova-compute (fake driver), then readiness of everything
# ---------------------------------------------------------------------------------------
PROC=rabbitmq wait_until "rabbitmq on $H:5672" 60 port_busy 5672
timing "rabbitmq ready" "$(elapsed "$T_ALL")"
# conductor and scheduler build their placement client (service user + catalog) at start
start nova-conductor - "${IMMEDIATE[@]}" /usr/bin/nova-conductor "${NCONF[@]}" || true
start nova-scheduler - "${IMMEDIATE[@]}" /usr/bin/nova-scheduler "${NCONF[@]}" || true
# from python3-nova: the nova-compute package would pull a hypervisor. Its own config file
# has no database sections: a compute node reaches the databases only through conductor.
if start nova-compute - "$PY" -c 'import sys
from nova.cmd.compute import main
sys.argv = ["nova-compute"] + sys.argv[1:]
sys.exit(main())' --config-file "$ETC/nova/nova-compute.conf"; then
  COMPUTE_FRESH=true
fi

PROC=placement wait_until "placement $PLACEMENT" 60 http_ok "$PLACEMENT/"
timing "placement ready" "$(elapsed "$T_ALL")"
PROC=glance wait_until "glance $GLANCE" 60 http_ok "$GLANCE/versions"
timing "glance ready" "$(elapsed "$T_ALL")"
PROC=neutron wait_until "neutron $NEUTRON" 90 http_ok "$NEUTRON/"
timing "neutron ready" "$(elapsed "$T_ALL")"
PROC=nova-api wait_until "nova-api $NOVA" 90 http_ok "$NOVA/"
timing "nova-api ready" "$(elapsed "$T_ALL")"

# svc_up BINARY → true if nova reports it enabled and up on our host. For a service this
# run started, only a heartbeat newer than its start counts: "up" only means a heartbeat
# in the last 60 s, which a process stopped a moment ago still has — and a nova-compute
# that does not consume its RPC queue yet silently drops what is cast to it (a DELETE then
# hangs in task_state "deleting"). Heartbeats start after the RPC server does.
svc_up() {
  local st since=${STARTED_AT[$1]:-}
  st=$(api GET "$NOVA_V21/os-services?binary=$1&host=gameday-it-compute" 2>/dev/null |
    jq -r '.services[0] | "\(.status) \(.state) \(.updated_at // "")"' 2>/dev/null) || return 1
  [[ $st == "enabled up "* ]] || return 1
  [[ -z $since ]] || [[ ${st#enabled up } > $since ]]
}
PROC=nova-conductor wait_until "nova-conductor up" 90 svc_up nova-conductor
timing "nova-conductor up" "$(elapsed "$T_ALL")"
PROC=nova-scheduler wait_until "nova-scheduler up" 90 svc_up nova-scheduler
timing "nova-scheduler up" "$(elapsed "$T_ALL")"
PROC=nova-compute wait_until "nova-compute up" 90 svc_up nova-compute

# The compute host is mapped into cell1 by the scheduler's periodic discovery
# ([scheduler] discover_hosts_in_cells_interval, the code `nova-manage cell_v2
# discover_hosts` runs; a nova-manage run costs ~7 s here). Then the resource provider
# must have its inventory in placement before anything can be scheduled.
rp_ready() {
  local rp rc=0
  API_HEADERS=("OpenStack-API-Version: placement 1.14")
  rp=$(api GET "$PLACEMENT/resource_providers?name=gameday-it-compute" | jq -r '.resource_providers[0].uuid // empty') || rc=1
  if ((rc == 0)); then
    [[ -n $rp ]] && api GET "$PLACEMENT/resource_providers/$rp/inventories" | jq -e '.inventories.VCPU' >/dev/null || rc=1
  fi
  API_HEADERS=()
  return $rc
}
hv_ready() { api GET "$NOVA_V21/os-hypervisors" | jq -e '.hypervisors | length > 0' >/dev/null; }
PROC=nova-compute wait_until "compute resource provider in placement" 90 rp_ready
host_mapped() {
  [[ -n $(sqlite3 -readonly "$DB/nova_api.sqlite" \
    "SELECT host FROM host_mappings WHERE host = 'gameday-it-compute'" 2>/dev/null) ]]
}
PROC=nova-scheduler wait_until "compute host mapped to cell1" 60 host_mapped
PROC=nova-api wait_until "hypervisor listed by nova" 30 hv_ready
timing "nova-compute up and discovered" "$(elapsed "$T_ALL")"

# ---------------------------------------------------------------------------------------
# 7. Seed
# ---------------------------------------------------------------------------------------
t_seed=$(now)
PROJECT=gameday-it
PROJECT_ID=$(ensure_project "$PROJECT" "gameday integration tests")
USER_ID=$(ensure_user gameday "$GAMEDAY_PW" "$PROJECT_ID")
grant "$PROJECT_ID" "$USER_ID" "$MEMBER_ROLE"
grant "$PROJECT_ID" "$USER_ID" "$READER_ROLE"

# flavor and image (admin)
NOVA_MV=("OpenStack-API-Version: compute 2.37" "X-OpenStack-Nova-API-Version: 2.37")
API_HEADERS=("${NOVA_MV[@]}")
FLAVOR_ID=$(must GET "$NOVA_V21/flavors" | jq -r '.flavors[] | select(.name == "tiny") | .id' | head -1)
if [[ -z $FLAVOR_ID ]]; then
  FLAVOR_ID=$(must POST "$NOVA_V21/flavors" \
    '{"flavor": {"name": "tiny", "id": "gameday-tiny", "ram": 512, "vcpus": 1, "disk": 1, "os-flavor-access:is_public": true}}' |
    jq -r .flavor.id)
fi
API_HEADERS=()
IMAGE_NAME=gameday-it-image
IMAGE_ID=$(must GET "$GLANCE/v2/images?name=$IMAGE_NAME" | jq -r '.images[] | select(.status == "active") | .id' | head -1)
if [[ -z $IMAGE_ID ]]; then
  # leftovers of an interrupted upload
  for stale in $(must GET "$GLANCE/v2/images?name=$IMAGE_NAME" | jq -r '.images[].id'); do
    api DELETE "$GLANCE/v2/images/$stale" >/dev/null || true
  done
  IMAGE_ID=$(must POST "$GLANCE/v2/images" "$(jq -n --arg n "$IMAGE_NAME" '{name: $n,
    disk_format: "raw", container_format: "bare", visibility: "public", min_disk: 0, min_ram: 0}')" | jq -r .id)
  printf 'gameday-it fake image\n' >"$STATE/glance/image.raw"
  curl -sS -f -m 60 -X PUT -H 'Content-Type: application/octet-stream' \
    -K <(printf 'header = "X-Auth-Token: %s"\n' "$TOKEN") \
    --data-binary @"$STATE/glance/image.raw" "$GLANCE/v2/images/$IMAGE_ID/file" >/dev/null
  img_active() { [[ $(must GET "$GLANCE/v2/images/$IMAGE_ID" | jq -r .status) == active ]]; }
  PROC=glance wait_until "image active" 30 img_active
fi

# everything else as the gameday user, in its project
TOKEN=$(password_token gameday "$GAMEDAY_PW" "$PROJECT")
[[ -n $TOKEN ]] || die "cannot get a token for gameday@$PROJECT"

# application credential: kept while it still authenticates, recreated otherwise
appcred_token() {
  [[ -s $SECRETS/appcred-id && -s $SECRETS/appcred-secret ]] || return 1
  jq -n --rawfile id "$SECRETS/appcred-id" --rawfile s "$SECRETS/appcred-secret" \
    '{auth: {identity: {methods: ["application_credential"],
      application_credential: {id: ($id | rtrimstr("\n")), secret: ($s | rtrimstr("\n"))}}}}' | token_from
}
if [[ -z $(appcred_token 2>/dev/null || true) ]]; then
  for old in $(must GET "$KEYSTONE_V3/users/$USER_ID/application_credentials?name=gameday-it" | jq -r '.application_credentials[].id'); do
    must DELETE "$KEYSTONE_V3/users/$USER_ID/application_credentials/$old" >/dev/null
  done
  ac=$(must POST "$KEYSTONE_V3/users/$USER_ID/application_credentials" \
    '{"application_credential": {"name": "gameday-it", "description": "gameday integration tests"}}')
  (umask 077 && jq -r .application_credential.id <<<"$ac" >"$SECRETS/appcred-id" &&
    jq -r .application_credential.secret <<<"$ac" >"$SECRETS/appcred-secret")
  unset ac
fi
APPCRED_ID=$(<"$SECRETS/appcred-id")

# servers
SERVERS=(master worker-001 worker-002 worker-003 brick-001)
API_HEADERS=("${NOVA_MV[@]}")
server_json() { api GET "$NOVA_V21/servers/$1" | jq -c '.server'; }
server_id_by_name() {
  must GET "$NOVA_V21/servers?name=$(q "^$1\$")" | jq -r '.servers[0].id // empty'
}
gone() { ! api GET "$NOVA_V21/servers/$1" >/dev/null && [[ $(api_status) == 404 ]]; }
# Other servers of the project (left by tests) cannot work either after a compute restart:
# the fake driver does not know them, every action on them fails. Delete them.
strays=()
if [[ $COMPUTE_FRESH == true ]]; then
  others=$(must GET "$NOVA_V21/servers" | jq -r --arg seeded " ${SERVERS[*]} " \
    '.servers[] | .name as $n | select($seeded | contains(" " + $n + " ") | not) | .id')
  for id in $others; do
    log "deleting server $id (not seeded; lost by the fake driver when nova-compute restarted)"
    must DELETE "$NOVA_V21/servers/$id" >/dev/null
    strays+=("$id")
  done
  for id in "${strays[@]}"; do PROC=nova-compute wait_until "server $id deleted" 60 gone "$id"; done
fi
declare -A SID=()
need_create=()
deleting=()
for s in "${SERVERS[@]}"; do
  id=$(server_id_by_name "$s")
  if [[ -n $id ]]; then
    st=$(server_json "$id" | jq -r .status)
    # The fake driver keeps its VMs in memory: after nova-compute restarts they are gone.
    if [[ $COMPUTE_FRESH == true || $st == ERROR ]]; then
      log "recreating server $s ($st, compute restarted: $COMPUTE_FRESH)"
      must DELETE "$NOVA_V21/servers/$id" >/dev/null
      deleting+=("$id")
      id=
    fi
  fi
  if [[ -z $id ]]; then
    need_create+=("$s")
  else
    SID[$s]=$id
  fi
done
for id in "${deleting[@]}"; do PROC=nova-compute wait_until "server $id deleted" 60 gone "$id"; done
for s in "${need_create[@]}"; do
  SID[$s]=$(must POST "$NOVA_V21/servers" "$(jq -n --arg n "$s" --arg i "$IMAGE_ID" --arg f "$FLAVOR_ID" \
    '{server: {name: $n, imageRef: $i, flavorRef: $f, networks: "none"}}')" | jq -r .server.id)
done
# bring every server back to ACTIVE (a previous test may have left it stopped or paused)
no_task() { [[ $(server_json "$1" | jq -r '."OS-EXT-STS:task_state" // "-"') == - ]]; }
for s in "${SERVERS[@]}"; do
  PROC=nova-compute wait_until "server $s: no task in progress" 60 no_task "${SID[$s]}"
  st=$(server_json "${SID[$s]}" | jq -r .status)
  case $st in
  SHUTOFF) must POST "$NOVA_V21/servers/${SID[$s]}/action" '{"os-start": null}' >/dev/null ;;
  PAUSED) must POST "$NOVA_V21/servers/${SID[$s]}/action" '{"unpause": null}' >/dev/null ;;
  SUSPENDED) must POST "$NOVA_V21/servers/${SID[$s]}/action" '{"resume": null}' >/dev/null ;;
  esac
done
server_active() {
  local st
  st=$(server_json "$1" | jq -r '.status + "/" + (."OS-EXT-STS:task_state" // "-")') || return 1
  [[ $st == ERROR/* ]] && die "server $1 went to ERROR: $(server_json "$1" | jq -c .fault)"
  [[ $st == ACTIVE/- ]]
}
for s in "${SERVERS[@]}"; do
  PROC=nova-compute wait_until "server $s ACTIVE" 120 server_active "${SID[$s]}"
done
API_HEADERS=()
timing "servers ACTIVE" "$(elapsed "$t_seed")"

# network, subnet, security group, one port per server
neutron_id() { # RESOURCE(plural) NAME → id of the project's resource of that name
  must GET "$NEUTRON/v2.0/$1?name=$(q "$2")&project_id=$PROJECT_ID" |
    jq -r --arg r "${1//-/_}" '.[$r][0].id // empty' # security-groups → .security_groups
}
NET_ID=$(neutron_id networks gameday-it-net)
[[ -n $NET_ID ]] || NET_ID=$(must POST "$NEUTRON/v2.0/networks" \
  '{"network": {"name": "gameday-it-net", "admin_state_up": true}}' | jq -r .network.id)
SUBNET_ID=$(neutron_id subnets gameday-it-subnet)
[[ -n $SUBNET_ID ]] || SUBNET_ID=$(must POST "$NEUTRON/v2.0/subnets" "$(jq -n --arg n "$NET_ID" \
  '{subnet: {name: "gameday-it-subnet", network_id: $n, ip_version: 4, cidr: "10.42.0.0/24", enable_dhcp: false}}')" |
  jq -r .subnet.id)
SG_ID=$(neutron_id security-groups jhub-workers)
if [[ -z $SG_ID ]]; then
  SG_ID=$(must POST "$NEUTRON/v2.0/security-groups" \
    '{"security_group": {"name": "jhub-workers", "description": "JupyterHub workers"}}' | jq -r .security_group.id)
  must POST "$NEUTRON/v2.0/security-group-rules" "$(jq -n --arg g "$SG_ID" '{security_group_rule: {
    security_group_id: $g, direction: "ingress", ethertype: "IPv4", protocol: "tcp",
    port_range_min: 22, port_range_max: 22, remote_ip_prefix: "10.42.0.0/24"}}')" >/dev/null
fi
declare -A PID_OF_PORT=()
for s in "${SERVERS[@]}"; do
  pname=$s-port
  if [[ $s == worker-* ]]; then sgs=$(jq -n --arg g "$SG_ID" '[$g]'); else sgs=null; fi
  pid=$(neutron_id ports "$pname")
  if [[ -z $pid ]]; then
    pid=$(must POST "$NEUTRON/v2.0/ports" "$(jq -n --arg n "$pname" --arg net "$NET_ID" \
      --arg d "${SID[$s]}" --argjson sg "$sgs" '{port: ({name: $n, network_id: $net, device_id: $d,
      device_owner: "compute:nova", admin_state_up: true} + (if $sg then {security_groups: $sg} else {} end))}')" |
      jq -r .port.id)
  else
    # point it at the current server and restore its security groups / state
    must PUT "$NEUTRON/v2.0/ports/$pid" "$(jq -n --arg d "${SID[$s]}" --argjson sg "$sgs" \
      '{port: ({device_id: $d, device_owner: "compute:nova", admin_state_up: true} +
      (if $sg then {security_groups: $sg} else {} end))}')" >/dev/null
  fi
  PID_OF_PORT[$s]=$pid
done
timing "seed (servers, network, ports)" "$(elapsed "$t_seed")"

# ---------------------------------------------------------------------------------------
# 8. clouds.yaml, env.sh, seed.json
# ---------------------------------------------------------------------------------------
write_conf "$STATE/clouds.yaml" <<EOF
# Written by scripts/openstack/up.sh — contains secrets (mode 600).
clouds:
  gameday-it:
    auth:
      auth_url: $KEYSTONE_V3
      username: gameday
      password: $GAMEDAY_PW
      project_name: $PROJECT
      user_domain_name: Default
      project_domain_name: Default
    auth_type: password
    identity_api_version: 3
    region_name: $REGION
    interface: public
  gameday-it-appcred:
    auth:
      auth_url: $KEYSTONE_V3
      application_credential_id: $APPCRED_ID
      application_credential_secret: $(<"$SECRETS/appcred-secret")
    auth_type: v3applicationcredential
    identity_api_version: 3
    region_name: $REGION
    interface: public
  gameday-it-admin:
    auth:
      auth_url: $KEYSTONE_V3
      username: admin
      password: $ADMIN_PW
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    auth_type: password
    identity_api_version: 3
    region_name: $REGION
    interface: public
EOF
cat >"$STATE/env.sh" <<EOF
# source me: points the openstack CLI (and gameday) at the local control plane
export OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml
export OS_CLOUD=\${OS_CLOUD:-gameday-it}
EOF
servers_json=$(for s in "${SERVERS[@]}"; do jq -n --arg n "$s" --arg i "${SID[$s]}" --arg p "${PID_OF_PORT[$s]}" '{($n): {id: $i, port: $p}}'; done | jq -s add)
jq -n --arg state "$STATE" --arg pid "$PROJECT_ID" --arg uid "$USER_ID" --arg ac "$APPCRED_ID" \
  --arg fl "$FLAVOR_ID" --arg im "$IMAGE_ID" --arg net "$NET_ID" --arg sub "$SUBNET_ID" --arg sg "$SG_ID" \
  --argjson servers "$servers_json" '{
  clouds_yaml: ($state + "/clouds.yaml"), region: "RegionOne",
  auth_url: "http://127.0.0.1:5000/v3",
  endpoints: {identity: "http://127.0.0.1:5000/v3", compute: "http://127.0.0.1:8774/v2.1",
    network: "http://127.0.0.1:9696", image: "http://127.0.0.1:9292", placement: "http://127.0.0.1:8778"},
  project: {name: "gameday-it", id: $pid}, user: {name: "gameday", id: $uid},
  application_credential: {name: "gameday-it", id: $ac},
  flavor: {name: "tiny", id: $fl}, image: {name: "gameday-it-image", id: $im},
  network: {name: "gameday-it-net", id: $net}, subnet: {name: "gameday-it-subnet", id: $sub, cidr: "10.42.0.0/24"},
  security_group: {name: "jhub-workers", id: $sg}, servers: $servers}' >"$STATE/seed.json"

# ---------------------------------------------------------------------------------------
# 9. Summary
# ---------------------------------------------------------------------------------------
timing "total" "$(elapsed "$T_ALL")"
echo
echo "OpenStack control plane on 127.0.0.1 — state: $STATE"
echo "  started now: ${STARTED[*]:-(nothing, all were running)}"
echo "  timings (seconds since up.sh started; seed lines: since the seed started):"
for k in "${TIMING_ORDER[@]}"; do printf '    %-46s %6s\n' "$k" "${TIMING[$k]}"; done
trss=0
tpss=0
echo "  memory (MB):          RSS    PSS"
for svc in "${SERVICES[@]}"; do
  read -r rss pss n < <(mem_of "$svc")
  trss=$((trss + rss))
  tpss=$((tpss + pss))
  printf '    %-16s %6d %6d  (%d processes)\n' "$svc" $((rss / 1024)) $((pss / 1024)) "$n"
done
printf '    %-16s %6d %6d\n' TOTAL $((trss / 1024)) $((tpss / 1024))
echo "  use: source $STATE/env.sh   (clouds: gameday-it, gameday-it-appcred, gameday-it-admin)"
echo "  seeded: project gameday-it ($PROJECT_ID), user gameday, servers: ${SERVERS[*]}; ids in $STATE/seed.json"
