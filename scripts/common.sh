# shellcheck shell=bash
# Helpers every service script shares (scripts/<service>/lib.sh sources this). Sourced, not
# executed. Set LOG_TAG to the service's name before calling log/die.

log() { printf '[%s %s] %s\n' "${LOG_TAG:-gameday}" "$(date +%H:%M:%S)" "$*"; }
die() { printf '[%s] ERROR: %s\n' "${LOG_TAG:-gameday}" "$*" >&2; exit 1; }

now() { printf '%s' "$EPOCHREALTIME"; }
# elapsed START → seconds with one decimal since START
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
