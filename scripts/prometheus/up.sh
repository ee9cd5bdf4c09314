#!/usr/bin/env bash
# A real Prometheus 2.42 (Debian's `prometheus`) on 127.0.0.1:9090 for the integration tests:
# scrapes every second itself, the gameday lab's exposition (127.0.0.1:19090, down until a
# test starts the lab there), gameday's own /metrics (127.0.0.1:9464, down until the daemon
# runs) and, when GAMEDAY_JUPYTERHUB_STATE names a scripts/jupyterhub setup, the hub's
# /hub/metrics with the gameday service token; evaluates the alerting rules of rules.yml
# every second. Layout in lib.sh; notes in .ci/prometheus.md.
#
#   [GAMEDAY_JUPYTERHUB_STATE=DIR] scripts/prometheus/up.sh [STATE_DIR]   (default <repo>/var/prometheus)
#   scripts/prometheus/down.sh [STATE_DIR] [--purge]
#
# Always starts from an EMPTY data directory: a fresh Prometheus answers with samples up to
# 5 min old, which would let stale data pass a probe. A Prometheus of this state directory
# that is already running is therefore restarted (stopped by pid, data emptied), so the
# configuration written now is the one that runs.
set -euo pipefail
# shellcheck source=scripts/prometheus/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0=$(now)
set_paths "$(state_dir "${1:-}")"
for bin in prometheus promtool; do
  command -v "$bin" >/dev/null || die "$bin is not installed (apt-get install --no-install-recommends prometheus)"
done
command -v curl >/dev/null || die "curl is missing"

# --- the hub's metrics, if a hub setup was named
hub_job=''
if [[ -n ${GAMEDAY_JUPYTERHUB_STATE:-} ]]; then
  token_file=$(cd "$GAMEDAY_JUPYTERHUB_STATE" 2>/dev/null && pwd)/api-token ||
    die "GAMEDAY_JUPYTERHUB_STATE=$GAMEDAY_JUPYTERHUB_STATE does not exist: run scripts/jupyterhub/up.sh there first, or unset it"
  [[ -s $token_file ]] ||
    die "GAMEDAY_JUPYTERHUB_STATE=$GAMEDAY_JUPYTERHUB_STATE has no api-token: run scripts/jupyterhub/up.sh there first, or unset it"
  [[ $token_file =~ ^[A-Za-z0-9_./+@:-]+$ ]] || die "$token_file: path needs quoting, use a plainer GAMEDAY_JUPYTERHUB_STATE"
  hub_job="
  - job_name: jupyterhub
    metrics_path: /hub/metrics
    authorization:
      credentials_file: $token_file
    static_configs:
      - targets: ['127.0.0.1:8081']"
fi

# --- configuration, checked before anything is stopped or started
cp "$PROM_REPO/scripts/prometheus/rules.yml" "$RULES"
cat >"$CONFIG" <<YAML
# Written by scripts/prometheus/up.sh on every run.
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['$PROM_HOST:$PROM_PORT']
  - job_name: lab
    metrics_path: /metrics
    static_configs:
      - targets: ['127.0.0.1:$LAB_METRICS_PORT']
  - job_name: gameday
    metrics_path: /metrics
    static_configs:
      - targets: ['127.0.0.1:$GAMEDAY_METRICS_PORT']$hub_job
YAML
promtool check config "$CONFIG" >"$STATE/promtool.out" 2>&1 || { cat "$STATE/promtool.out" >&2; die "promtool check config $CONFIG failed"; }

# --- stop the one running here (if any), then start from an empty data directory
mapfile -t running < <(ours)
if ((${#running[@]})); then
  t=$(now)
  stop_pids 10 "${running[@]}" >/dev/null
  log "stopped the running Prometheus (pid ${running[*]}) in $(elapsed "$t") s, to start it fresh"
fi
port_open "$PROM_PORT" && die "127.0.0.1:$PROM_PORT is taken by a process this setup did not start"
rm -rf "$DATA"
mkdir -p "$DATA"
t=$(now)
cd "$STATE"
setsid prometheus --config.file="$CONFIG" --storage.tsdb.path="$DATA" \
  --web.listen-address="$PROM_HOST:$PROM_PORT" --web.enable-lifecycle --rules.alert.resend-delay=1s \
  >>"$LOG" 2>&1 </dev/null &
echo $! >"$PID_FILE"
cd - >/dev/null
deadline=$((SECONDS + 30))
until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$PROM_URL/-/ready" || true) == 200 ]]; do
  prom_pid >/dev/null || { tail -n 20 "$LOG" >&2; die "prometheus exited (log: $LOG)"; }
  ((SECONDS < deadline)) || { tail -n 20 "$LOG" >&2; die "prometheus not ready after 30 s (log: $LOG)"; }
  sleep 0.1
done
pid=$(prom_pid)
log "ready in $(elapsed "$t") s (pid $pid, RSS $(rss_mb "$pid") MB)"

cat >"$STATE/env" <<ENV
PROMETHEUS_URL=$PROM_URL
PROMETHEUS_PID_FILE=$PID_FILE
PROMETHEUS_CONFIG=$CONFIG
LAB_METRICS_PORT=$LAB_METRICS_PORT
GAMEDAY_METRICS_PORT=$GAMEDAY_METRICS_PORT
JUPYTERHUB_JOB=$([[ -n $hub_job ]] && echo yes || echo no)
ENV
log "up in $(elapsed "$T0") s: $PROM_URL, jobs prometheus lab gameday${hub_job:+ jupyterhub}; facts in $STATE/env"
