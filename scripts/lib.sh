# Shared by scripts/services.sh and scripts/processes.sh (sourced): messages, processes and ports.

say() { printf '%s\n' "$*"; }
err() { printf '%s\n' "$*" >&2; }

# True when process $1 exists and is not a zombie. (A process killed after its parent exited is
# reparented to PID 1; on these machines PID 1 reaps it only a second or two later, and in the
# meantime `kill -0` still succeeds — and PostgreSQL, too, takes such a zombie for a live server.)
pid_alive() {
  [ -n "${1:-}" ] || return 1
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# True when process $1 is alive and its command line contains $2 (guards against pid reuse).
pid_is() {
  pid_alive "$1" || return 1
  local cmd
  cmd=$(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null) || return 1
  [[ "$cmd" == *"$2"* ]]
}

# Who listens on port $1, when `ss` can say ("python3",pid=123,fd=3); for messages.
port_owner() {
  if command -v ss >/dev/null 2>&1; then
    ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -n1
  fi
}

# The pid listening on port $1, when `ss` can say.
listener_pid() {
  command -v ss >/dev/null 2>&1 || return 1
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n1
}
