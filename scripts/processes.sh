#!/usr/bin/env bash
# scripts/processes.sh up|down|status|restart [NAME...] — XGet's own long-running processes.
#
# Each runs as `.venv/bin/xget <command>` in the background with its pid in .var/run/<name>.pid
# and its log in .var/log/<name>.log. Configuration comes from the environment (see README,
# "Configuration"); the defaults use the local services of scripts/services.sh.
#
#   up      start the processes that are not running; wait until the API answers /health
#   down    stop them (SIGTERM, then SIGKILL after XGET_STOP_TIMEOUT seconds, default 20)
#   status  one line per process
#
# The table below is the one place a process is added.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
VAR=${XGET_VAR_DIR:-$ROOT/.var}
RUN=$VAR/run
LOG=$VAR/log
XGET=$ROOT/.venv/bin/xget
# Where to check health: a wildcard listen address (0.0.0.0, ::) is reached on loopback, and
# without API keys the API answers only to this machine's names anyway.
probe_host() { case "${1:-}" in "" | 0.0.0.0 | "::" | "[::]") echo 127.0.0.1 ;; *) echo "$1" ;; esac; }
API_URL="http://$(probe_host "${XGET_API_HOST:-}"):${XGET_API_PORT:-8003}"
SANDBOX_HOST=$(probe_host "${XGET_SANDBOX_HOST:-}")
STOP_TIMEOUT=${XGET_STOP_TIMEOUT:-20}

# name | xget arguments | health URL (empty: alive after a moment is enough) | environment |
# other ports it listens on. Relay, projector and worker serve Prometheus metrics on their own
# port (the API on /metrics).
PROCESSES=(
  "projector|projector|http://127.0.0.1:${XGET_PROJECTOR_METRICS_PORT:-9102}/metrics|XGET_METRICS_PORT=${XGET_PROJECTOR_METRICS_PORT:-9102}"
  "relay|relay|http://127.0.0.1:${XGET_RELAY_METRICS_PORT:-9101}/metrics|XGET_METRICS_PORT=${XGET_RELAY_METRICS_PORT:-9101}"
  "sandbox-x|sandbox x|http://$SANDBOX_HOST:${XGET_SANDBOX_X_PORT:-8010}/health"
  "sandbox-accounts|sandbox accounts|http://$SANDBOX_HOST:${XGET_SANDBOX_ACCOUNTS_PORT:-8011}/health"
  "sandbox-proxies|sandbox proxies|http://$SANDBOX_HOST:${XGET_SANDBOX_PROXIES_PORT:-8012}/health||${XGET_SANDBOX_FORWARD_PORT:-8013}"
  "worker|worker|http://127.0.0.1:${XGET_WORKER_METRICS_PORT:-9103}/metrics|XGET_METRICS_PORT=${XGET_WORKER_METRICS_PORT:-9103}"
  "api|api|$API_URL/health"
)

# host:port of a health URL (empty for none).
url_port() {
  [ -n "$1" ] || return 0
  local rest=${1#*://}
  rest=${rest%%/*}
  echo "${rest##*:}"
}

port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The start time of a pid (field 22 of /proc/PID/stat): with the pid it names one process for
# good, so a pid reused after a reboot or a crash is never taken for ours.
start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  set -- $stat
  echo "${20}"
}

# Whether pid $1 runs this clone's `xget ARGS` (the console script's path is in its command line).
runs_ours() { pid_is "$1" "$XGET $2 "; } # pid args

pid_of() { # name args
  local f=$RUN/$1.pid pid started
  [ -f "$f" ] || return 1
  read -r pid started <"$f" || true
  if [ -n "$pid" ] && pid_alive "$pid" && runs_ours "$pid" "$2" \
      && { [ -z "$started" ] || [ "$(start_time "$pid")" = "$started" ]; }; then
    echo "$pid"
    return 0
  fi
  rm -f "$f"  # stale: the process died without cleaning up, or the pid is someone else's now
  return 1
}

# The pid listening on a port when it runs this clone's `xget ARGS` (needs `ss`).
ours_on_port() { # port args
  local lpid
  lpid=$(listener_pid "$1") && [ -n "$lpid" ] && runs_ours "$lpid" "$2" && echo "$lpid"
}

write_pid() { # name pid
  echo "$2 $(start_time "$2")" >"$RUN/$1.pid"
}

stop_pid() { # name pid: SIGTERM, then SIGKILL after STOP_TIMEOUT; prints what happened
  local waited=0
  kill -TERM "$2" 2>/dev/null || true
  while pid_alive "$2" && [ $waited -lt $((STOP_TIMEOUT * 10)) ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  if pid_alive "$2"; then
    kill -KILL "$2" 2>/dev/null || true
    say "$1: killed (did not stop within ${STOP_TIMEOUT}s)"
  else
    say "$1: stopped"
  fi
}

# One up/down at a time: two would race between finding no pid and writing one.
lock() {
  mkdir -p "$RUN"
  exec 8>"$RUN/processes.lock"
  flock -w 300 8 || { err "processes.sh: another up/down holds $RUN/processes.lock"; exit 1; }
}

# Print the log of this start only (from its marker), on stderr.
show_log() { # name
  err "--- $LOG/$1.log since this start:"
  awk -v m="$MARK" 'index($0, m) {found = 1; buf = ""} found {buf = buf $0 "\n"} END {printf "%s", buf}' \
    "$LOG/$1.log" | tail -n 30 >&2
}

selected() {
  local entry name
  for entry in "${PROCESSES[@]}"; do
    name=${entry%%|*}
    if [ $# -eq 0 ] || [[ " $* " == *" $name "* ]]; then echo "$entry"; fi
  done
}

# GET a loopback URL (http://host:port/path) and succeed on a 2xx answer, with bash's /dev/tcp
# alone, so a machine without curl needs nothing more.
http_ok() { # url
  local rest=${1#http://} hostport path
  hostport=${rest%%/*}; path=/${rest#*/}
  [ "$hostport" = "$rest" ] && path=/
  timeout 1 bash -c '
    exec 3<>"/dev/tcp/${1%:*}/${1##*:}" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$2" "$1" >&3
    IFS=" " read -r _ code _ <&3
    case $code in 2??) exit 0 ;; *) exit 1 ;; esac' _ "$hostport" "$path" 2>/dev/null
}

wait_healthy() {
  local name=$1 pid=$2 url=$3 deadline=$((SECONDS + ${XGET_PROCESS_TIMEOUT:-60}))
  while [ $SECONDS -lt $deadline ]; do
    if ! pid_alive "$pid"; then
      err "$name: exited during start"
      show_log "$name"
      return 1
    fi
    if [ -z "$url" ]; then
      sleep 1
      pid_alive "$pid" && return 0
    elif http_ok "$url"; then
      # The answer must come from our process, not from whoever else holds the port.
      pid_alive "$pid" && return 0
    fi
    sleep 0.2
  done
  err "$name: not healthy after ${XGET_PROCESS_TIMEOUT:-60}s; stopping it"
  show_log "$name"
  stop_pid "$name" "$pid" >&2
  return 1
}

up() {
  [ -x "$XGET" ] || { say "processes: $XGET missing; run ./scripts/bootstrap.sh (make up does)"; exit 1; }
  mkdir -p "$RUN" "$LOG"
  lock
  local entry name args url envs ports pid t0 port taken=0
  local -a todo=()
  # Every port of every process to start is checked first, so a conflict starts nothing.
  while IFS= read -r entry; do
    IFS='|' read -r name args url envs ports <<<"$entry"
    if pid=$(pid_of "$name" "$args"); then
      say "$name: running (pid $pid)"
      continue
    fi
    port=$(url_port "$url")
    if [ -n "$port" ] && pid=$(ours_on_port "$port" "$args"); then
      write_pid "$name" "$pid"  # ours, but its pid file was lost: take it back
      say "$name: running (pid $pid); its lost pid file was restored"
      continue
    fi
    for port in $(url_port "$url") $ports; do
      if port_taken "$port"; then
        owner=$(port_owner "$port")
        err "$name: port $port is already taken by another program${owner:+ ($owner)}; stop it or set the port variable"
        taken=1
      fi
    done
    todo+=("$entry")
  done < <(selected "$@")
  [ $taken -eq 0 ] || exit 1
  for entry in "${todo[@]}"; do
    IFS='|' read -r name args url envs ports <<<"$entry"
    t0=$SECONDS
    MARK="===== $(date -u +%FT%TZ) processes.sh: starting $name ($$)"
    echo "$MARK" >>"$LOG/$name.log"
    # shellcheck disable=SC2086 # args and envs are word lists by design
    env $envs nohup "$XGET" $args >>"$LOG/$name.log" 2>&1 </dev/null 8>&- &  # 8: the lock, not theirs
    pid=$!
    write_pid "$name" "$pid"
    wait_healthy "$name" "$pid" "$url" || { rm -f "$RUN/$name.pid"; exit 1; }
    say "$name: started (pid $pid) in $((SECONDS - t0))s, log $LOG/$name.log"
  done
}

down() {
  local entry name args pid
  lock
  # Stop in reverse order: the API first, the projector last.
  mapfile -t entries < <(selected "$@")
  for ((i = ${#entries[@]} - 1; i >= 0; i--)); do
    IFS='|' read -r name args _ <<<"${entries[$i]}"
    pid=$(pid_of "$name" "$args") || continue
    stop_pid "$name" "$pid"
    rm -f "$RUN/$name.pid"
  done
}

status() {
  local entry name args pid
  while IFS= read -r entry; do
    IFS='|' read -r name args _ <<<"$entry"
    if pid=$(pid_of "$name" "$args"); then
      printf '%-16s running  pid %-8s log %s\n' "$name" "$pid" "$LOG/$name.log"
    else
      printf '%-16s stopped\n' "$name"
    fi
  done < <(selected "$@")
}

cmd=${1:-status}
shift || true
case "$cmd" in
  up) up "$@" ;;
  down) down "$@" ;;
  status) status "$@" ;;
  restart) (down "$@"); up "$@" ;;
  *) say "usage: $0 up|down|status|restart [NAME...]"; exit 2 ;;
esac
