# Shared by scripts/services.sh and scripts/processes.sh (sourced): processes and ports.

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
