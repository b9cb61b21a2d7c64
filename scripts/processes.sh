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
VAR=${XGET_VAR_DIR:-$ROOT/.var}
RUN=$VAR/run
LOG=$VAR/log
XGET=$ROOT/.venv/bin/xget
API_URL="http://${XGET_API_HOST:-127.0.0.1}:${XGET_API_PORT:-8003}"
STOP_TIMEOUT=${XGET_STOP_TIMEOUT:-20}

# name | xget arguments | health URL (empty: alive after a moment is enough) | environment
# Relay, projector and worker serve Prometheus metrics on their own port (the API on /metrics).
PROCESSES=(
  "projector|projector|http://127.0.0.1:${XGET_PROJECTOR_METRICS_PORT:-9102}/metrics|XGET_METRICS_PORT=${XGET_PROJECTOR_METRICS_PORT:-9102}"
  "relay|relay|http://127.0.0.1:${XGET_RELAY_METRICS_PORT:-9101}/metrics|XGET_METRICS_PORT=${XGET_RELAY_METRICS_PORT:-9101}"
  "sandbox-x|sandbox x|http://${XGET_SANDBOX_HOST:-127.0.0.1}:${XGET_SANDBOX_X_PORT:-8010}/health"
  "sandbox-accounts|sandbox accounts|http://${XGET_SANDBOX_HOST:-127.0.0.1}:${XGET_SANDBOX_ACCOUNTS_PORT:-8011}/health"
  "sandbox-proxies|sandbox proxies|http://${XGET_SANDBOX_HOST:-127.0.0.1}:${XGET_SANDBOX_PROXIES_PORT:-8012}/health"
  "worker|worker|http://127.0.0.1:${XGET_WORKER_METRICS_PORT:-9103}/metrics|XGET_METRICS_PORT=${XGET_WORKER_METRICS_PORT:-9103}"
  "api|api|$API_URL/health"
)

say() { printf '%s\n' "$*"; }

# Alive and not a zombie (an exited child waits for PID 1 to reap it, which can take seconds).
pid_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

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

pid_of() {
  local f=$RUN/$1.pid pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  if [ -n "$pid" ] && pid_alive "$pid" && grep -q "xget" "/proc/$pid/cmdline" 2>/dev/null; then
    echo "$pid"
    return 0
  fi
  rm -f "$f"  # stale: the process died without cleaning up
  return 1
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
      say "$name: exited during start; last lines of $LOG/$name.log:"
      tail -n 30 "$LOG/$name.log" >&2
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
  say "$name: not healthy after ${XGET_PROCESS_TIMEOUT:-60}s; last lines of $LOG/$name.log:"
  tail -n 30 "$LOG/$name.log" >&2
  return 1
}

up() {
  [ -x "$XGET" ] || { say "processes: $XGET missing; run ./scripts/bootstrap.sh (make up does)"; exit 1; }
  mkdir -p "$RUN" "$LOG"
  local entry name args url envs pid t0 port
  while IFS= read -r entry; do
    IFS='|' read -r name args url envs <<<"$entry"
    if pid=$(pid_of "$name"); then
      say "$name: running (pid $pid)"
      continue
    fi
    port=$(url_port "$url")
    if [ -n "$port" ] && port_taken "$port"; then
      say "$name: port $port is already taken by another program; stop it or set the port variable"
      exit 1
    fi
    t0=$SECONDS
    # shellcheck disable=SC2086 # args and envs are word lists by design
    env $envs nohup "$XGET" $args >>"$LOG/$name.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$RUN/$name.pid"
    wait_healthy "$name" "$pid" "$url" || { rm -f "$RUN/$name.pid"; exit 1; }
    say "$name: started (pid $pid) in $((SECONDS - t0))s, log $LOG/$name.log"
  done < <(selected "$@")
}

down() {
  local entry name pid waited
  # Stop in reverse order: the API first, the projector last.
  mapfile -t entries < <(selected "$@")
  for ((i = ${#entries[@]} - 1; i >= 0; i--)); do
    name=${entries[$i]%%|*}
    pid=$(pid_of "$name") || continue
    kill -TERM "$pid" 2>/dev/null || true
    waited=0
    while pid_alive "$pid" && [ $waited -lt $((STOP_TIMEOUT * 10)) ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if pid_alive "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
      say "$name: killed (did not stop within ${STOP_TIMEOUT}s)"
    else
      say "$name: stopped"
    fi
    rm -f "$RUN/$name.pid"
  done
}

status() {
  local entry name pid
  while IFS= read -r entry; do
    name=${entry%%|*}
    if pid=$(pid_of "$name"); then
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
  restart) down "$@"; up "$@" ;;
  *) say "usage: $0 up|down|status|restart [NAME...]"; exit 2 ;;
esac
