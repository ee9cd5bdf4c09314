# shellcheck shell=bash
# Helpers every service script shares (scripts/<service>/lib.sh sources this). Sourced, not
# executed. Set LOG_TAG to the service's name before calling log/die.

log() { printf '[%s %s] %s\n' "${LOG_TAG:-gameday}" "$(date +%H:%M:%S)" "$*"; }
die() { printf '[%s] ERROR: %s\n' "${LOG_TAG:-gameday}" "$*" >&2; exit 1; }

now() { printf '%s' "$EPOCHREALTIME"; }
# elapsed START → seconds with one decimal since START
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# alive PID → true while PID is a process that has not exited (a zombie counts as gone)
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# rss_mb PID → resident memory of PID in MB (0 when gone)
rss_mb() { awk '/^VmRSS:/ { printf "%d", $2 / 1024; found = 1 } END { if (!found) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# stop_pids GRACE PID… → TERM them all, wait up to GRACE seconds, KILL what is left and wait
# until it is gone (reaping an orphan can take a second here); prints how many were KILLed
stop_pids() {
  local grace=$1 p deadline left=()
  shift
  (($#)) || { echo 0; return 0; }
  kill -TERM "$@" 2>/dev/null || true
  deadline=$((SECONDS + grace))
  while :; do
    left=()
    for p in "$@"; do alive "$p" && left+=("$p"); done
    ((${#left[@]} && SECONDS < deadline)) || break
    sleep 0.1
  done
  if ((${#left[@]})); then
    kill -KILL "${left[@]}" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while ((SECONDS < deadline)); do
      local any=false
      for p in "${left[@]}"; do alive "$p" && any=true; done
      $any || break
      sleep 0.1
    done
  fi
  echo "${#left[@]}"
}

# port_open PORT → true if something accepts connections on 127.0.0.1:PORT
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
