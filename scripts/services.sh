#!/usr/bin/env bash
# scripts/services.sh up|down|status|restart — the real backing services of XGet, without Docker.
#
# Installs what is missing and starts, on loopback only, with all state in <repo>/.var/:
#   postgres  PostgreSQL (Debian packages) — own cluster in .var/pg/data, role xget/xget,
#             databases xget (the service) and xget_test (tests), both owned by xget
#   kafka     Apache Kafka 4.x, one node in KRaft combined mode, jars from Maven Central
#             (infra/kafka/pom.xml -> .var/kafka/libs), data in .var/kafka/data
#   ferretdb  FerretDB v1.24.2 (MongoDB wire protocol) with its SQLite backend, built from
#             infra/ferretdb (Go) into .var/ferretdb/bin, data in .var/ferretdb/data
# Layout: .var/run/<service>.pid, .var/log/<service>.log (postgres.log, kafka.log + kafka.out,
# ferretdb.log, ferretdb-build.log, kafka-libs.log).
#
#   up      start what is not running (a second `up` with everything running returns in a second
#           or two); stale pid files and a stale postmaster.pid after a crash are handled
#   down    stop what this script started (pid files): gracefully (SIGTERM / pg_ctl -m fast),
#           then forcefully after a timeout
#   status  one line per service: state, pid, address (exit code 0 either way)
#   restart down, then up
#
# Environment (all optional):
#   XGET_VAR_DIR             state folder                       (default <repo>/.var)
#   XGET_PG_HOST             PostgreSQL listen address          (default 127.0.0.1)
#   XGET_PG_PORT             PostgreSQL port                    (default 5432)
#   XGET_PG_BIN              PostgreSQL bin dir                 (default newest /usr/lib/postgresql/*/bin)
#   XGET_KAFKA_HOST          Kafka listen address               (default 127.0.0.1)
#   XGET_KAFKA_PORT          Kafka PLAINTEXT (client) port      (default 9092)
#   XGET_KAFKA_CONTROLLER_PORT  Kafka KRaft controller port     (default 9093)
#   XGET_KAFKA_HEAP          Kafka JVM heap (-Xmx)              (default 512m)
#   XGET_MONGO_HOST          FerretDB listen address            (default 127.0.0.1)
#   XGET_MONGO_PORT          FerretDB port                      (default 27017)
#   XGET_FERRETDB_LOG_LEVEL  FerretDB log level: error (default), warn (also dumps every error
#                            reply, e.g. to the endSessions PyMongo sends on close), info (also
#                            every connection), debug
#   XGET_SERVICES_TIMEOUT    seconds to wait for each service to become ready (default 120)
#   XGET_SERVICES            services to act on, space-separated (default "postgres kafka ferretdb")
#
# Connection strings for the defaults:
#   postgresql://xget:xget@127.0.0.1:5432/xget      (tests: .../xget_test)
#   Kafka bootstrap servers 127.0.0.1:9092
#   mongodb://127.0.0.1:27017/?directConnection=true
#
# Needs: bash, Java 17+ and Maven (apt-installed when missing), Go >= 1.24 (not installed: Debian's
# is too old), PostgreSQL (apt-get install -y postgresql when missing; the Debian cluster it creates
# is left stopped). Runs as root (initdb/pg_ctl then run as the `postgres` user) or as a normal user.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
VAR=${XGET_VAR_DIR:-$ROOT/.var}
RUN=$VAR/run
LOG=$VAR/log

PG_HOST=${XGET_PG_HOST:-127.0.0.1}
PG_PORT=${XGET_PG_PORT:-5432}
KAFKA_HOST=${XGET_KAFKA_HOST:-127.0.0.1}
KAFKA_PORT=${XGET_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${XGET_KAFKA_CONTROLLER_PORT:-9093}
KAFKA_HEAP=${XGET_KAFKA_HEAP:-512m}
MONGO_HOST=${XGET_MONGO_HOST:-127.0.0.1}
MONGO_PORT=${XGET_MONGO_PORT:-27017}
FERRETDB_LOG_LEVEL=${XGET_FERRETDB_LOG_LEVEL:-error}
TIMEOUT=${XGET_SERVICES_TIMEOUT:-120}
SERVICES=${XGET_SERVICES:-postgres kafka ferretdb}

PG_ROLE=xget
PG_PASSWORD=xget
PG_DATABASES="xget xget_test"

KAFKA_DIR=$VAR/kafka
KAFKA_LIBS=$KAFKA_DIR/libs
KAFKA_PROPS=$KAFKA_DIR/server.properties
FERRET_DIR=$VAR/ferretdb
FERRET_BIN=$FERRET_DIR/bin/xget-ferretdb

# ----------------------------------------------------------------------------------------------
# helpers

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
is_root() { [ "$(id -u)" = 0 ]; }

# Print the last lines of the given log files to stderr and exit 1.
die_with_logs() { # message logfile...
  local msg=$1; shift
  err "$msg"
  local f
  for f in "$@"; do
    if [ -s "$f" ]; then
      err "----- last lines of $f -----"
      tail -n 40 "$f" | cut -c1-400 >&2 || true
      err "-----"
    fi
  done
  exit 1
}

# Wait (up to $2 seconds) until pid $1 has fully disappeared, zombie included.
wait_gone() {
  local deadline=$((SECONDS + ${2:-15}))
  while [ -e "/proc/$1" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  [ ! -e "/proc/$1" ]
}

# True when something accepts TCP connections on host $1 port $2.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# A service of ours whose pid file was lost (deleted, or a crash between start and write) still
# holds its port: take it back (rewrite the pid file) rather than call it a stranger that `down`
# would then never stop. Needs `ss` to name the listener; matched like read_pid does.
adopt_listener() { # service port match pidfile
  local lpid
  lpid=$(listener_pid "$2") && [ -n "$lpid" ] && pid_is "$lpid" "$3" || return 1
  echo "$lpid" > "$4"
  say "$1: running (pid $lpid) on port $2; its lost pid file was restored"
}

fail_port_taken() { # service port envvar
  local owner
  owner=$(port_owner "$2")
  err "$1: port $2 is already in use by a process that this script did not start${owner:+ ($owner)}."
  err "$1: stop that process, or choose another port with $3=..."
  exit 1
}

# Wait until "$@" succeeds; fail after TIMEOUT seconds or when pid $1 dies.
# usage: wait_ready service pid check-command... ; the caller prints logs on failure.
wait_until() { # pid check-command...
  local pid=$1; shift
  local deadline=$((SECONDS + TIMEOUT))
  while ! "$@"; do
    if [ -n "$pid" ] && ! pid_alive "$pid"; then return 2; fi
    if [ "$SECONDS" -ge "$deadline" ]; then return 1; fi
    sleep 0.2
  done
}

# Read a pid file; echo the pid if the process is alive and matches $2, else remove the stale file.
read_pid() { # pidfile match
  local f=$1 pid
  [ -f "$f" ] || return 1
  pid=$(head -n1 "$f" 2>/dev/null | tr -dc 0-9)
  if pid_is "$pid" "$2"; then
    echo "$pid"
    return 0
  fi
  rm -f "$f"
  return 1
}

# Stop pid $2 gracefully (SIGTERM), then SIGKILL after $3 seconds.
stop_pid() { # service pid grace-seconds
  local svc=$1 pid=$2 grace=$3 t0
  t0=$(now)
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + grace))
  while pid_alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if pid_alive "$pid"; then
    say "$svc: still running after ${grace}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while pid_alive "$pid"; do sleep 0.1; done
  fi
  say "$svc: stopped (pid $pid) in $(since "$t0")"
}

apt_install() { # package...
  if ! is_root; then
    err "missing: $* — install it (sudo apt-get install -y $*) and re-run"
    exit 1
  fi
  say "installing $* (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "$@" >"$LOG/apt.log" 2>&1; then
    apt-get update -q >>"$LOG/apt.log" 2>&1 || true
    apt-get install -y -q --no-install-recommends "$@" >>"$LOG/apt.log" 2>&1 \
      || die_with_logs "apt-get install $* failed" "$LOG/apt.log"
  fi
}

# Start a command detached from this shell (own session, no stdin), output appended to a log.
# Sets STARTED_PID.
spawn() { # logfile command...
  local logfile=$1; shift
  setsid "$@" </dev/null >>"$logfile" 2>&1 9>&- &
  STARTED_PID=$!
}

# ----------------------------------------------------------------------------------------------
# PostgreSQL

PG_BIN=""
PG_OSUSER=""
PG_BASE=""   # real path of the cluster's folder (data, socket, log); normally .var/pg
PG_DATA=""
PG_SOCK=""

pg_find_bin() {
  if [ -n "${XGET_PG_BIN:-}" ]; then PG_BIN=$XGET_PG_BIN; return 0; fi
  local d
  PG_BIN=""
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && [ -x "$d/psql" ] && PG_BIN=$d
  done
  [ -n "$PG_BIN" ]
}

pg_install() {
  pg_find_bin && return 0
  if is_root; then
    # Let the package create its Debian cluster but not start it: it would take port 5432.
    local policy=/usr/sbin/policy-rc.d made_policy=""
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; made_policy=1
    fi
    apt_install postgresql
    [ -n "$made_policy" ] && rm -f "$policy"
    # Should the package's own cluster have been started anyway (another policy-rc.d, a running
    # init system), stop it when it sits on our port, and keep it from starting at boot.
    local ver name port status
    if command -v pg_lsclusters >/dev/null 2>&1; then
      while read -r ver name port status _; do
        if [ "$status" = online ] && [ "$port" = "$PG_PORT" ]; then
          say "postgres: stopping the Debian cluster $ver/$name the package started on port $port"
          pg_ctlcluster "$ver" "$name" stop || true
          echo manual > "/etc/postgresql/$ver/$name/start.conf" || true
        fi
      done < <(pg_lsclusters -h 2>/dev/null)
    fi
  else
    apt_install postgresql
  fi
  pg_find_bin || die_with_logs "postgres: no PostgreSQL binaries in /usr/lib/postgresql/*/bin after install" "$LOG/apt.log"
}

# Run a PostgreSQL program as the cluster's OS user.
pg_as() {
  if [ "$PG_OSUSER" = "$(id -un)" ]; then
    "$@"
  else
    # From /: the postgres user may not be allowed into the caller's working directory.
    (cd / && runuser -u "$PG_OSUSER" -- "$@")
  fi
}

# Decide where the cluster lives. Normally .var/pg; when running as root and the `postgres` user
# cannot reach .var (e.g. the repo is under /root) or the socket path would be too long,
# .var/pg is a symlink to /var/lib/xget/pg-<hash of the repo path>.
pg_layout() {
  if is_root; then PG_OSUSER=postgres; else PG_OSUSER=$(id -un); fi
  if [ -L "$VAR/pg" ] || [ -d "$VAR/pg" ]; then
    PG_BASE=$(readlink -f "$VAR/pg")
  else
    PG_BASE=$VAR/pg
    local need_alt=""
    if is_root; then
      mkdir -p "$PG_BASE"
      chown "$PG_OSUSER": "$PG_BASE"
      (cd / && runuser -u "$PG_OSUSER" -- test -w "$PG_BASE") || need_alt=1
    fi
    [ $(( ${#PG_BASE} + 24 )) -gt 100 ] && need_alt=1
    if [ -n "$need_alt" ]; then
      local alt
      alt=/var/lib/xget/pg-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
      rmdir "$PG_BASE" 2>/dev/null || true
      # .var/pg did not exist, so whatever a previous .var left there is discarded as well.
      rm -rf "$alt"
      mkdir -p "$alt"
      ln -sfn "$alt" "$VAR/pg"
      PG_BASE=$alt
      say "postgres: $VAR is not reachable by user $PG_OSUSER (or too deep for a socket path); cluster lives in $alt (.var/pg links to it)"
    fi
  fi
  mkdir -p "$PG_BASE"
  PG_DATA=$PG_BASE/data
  PG_SOCK=$PG_BASE/run
  mkdir -p "$PG_SOCK" "$PG_BASE/log"
  [ "$PG_OSUSER" = "$(id -un)" ] || chown "$PG_OSUSER": "$PG_BASE" "$PG_SOCK" "$PG_BASE/log"
  chmod 0700 "$PG_SOCK"
  touch "$PG_BASE/log/postgres.log"
  [ "$PG_OSUSER" = "$(id -un)" ] || chown "$PG_OSUSER": "$PG_BASE/log/postgres.log"
  ln -sfn "$PG_BASE/log/postgres.log" "$LOG/postgres.log"
}

# Pid of our running postmaster, or nothing. Uses postmaster.pid, and guards against pid reuse.
pg_running_pid() {
  local pid=""
  [ -n "$PG_DATA" ] || return 1
  if [ -f "$PG_DATA/postmaster.pid" ]; then
    pid=$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null | tr -dc 0-9)
  fi
  if pid_is "$pid" "$PG_DATA"; then
    echo "$pid" > "$RUN/postgres.pid"
    echo "$pid"
    return 0
  fi
  rm -f "$RUN/postgres.pid"
  return 1
}

# Processes left over from a killed postmaster (backends keep the data dir as their cwd).
pg_orphans() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/cwd" 2>/dev/null)" = "$PG_DATA" ] && echo "${p#/proc/}"
  done
  return 0
}

pg_initdb() {
  say "postgres: initdb in $PG_DATA"
  rm -rf "$PG_DATA"
  mkdir -p "$PG_DATA"
  [ "$PG_OSUSER" = "$(id -un)" ] || chown "$PG_OSUSER": "$PG_DATA"
  chmod 0700 "$PG_DATA"
  pg_as "$PG_BIN/initdb" -D "$PG_DATA" -E UTF8 --locale=C \
    --auth-local=peer --auth-host=scram-sha-256 >>"$PG_BASE/log/postgres.log" 2>&1 \
    || die_with_logs "postgres: initdb failed" "$LOG/postgres.log"
  printf '%s\n' '' '# XGet: settings written by scripts/services.sh on every up' \
    "include_if_exists = 'xget.conf'" >> "$PG_DATA/postgresql.conf"
}

pg_write_conf() {
  cat > "$PG_DATA/xget.conf" <<EOF
# Written by scripts/services.sh on every \`up\`; edit that script, not this file.
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
max_connections = 200
shared_buffers = 256MB
effective_cache_size = 2GB
work_mem = 8MB
maintenance_work_mem = 128MB
# Durability stays on: the event store is the system of record.
fsync = on
synchronous_commit = on
full_page_writes = on
max_wal_size = 1GB
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
EOF
  [ "$PG_OSUSER" = "$(id -un)" ] || chown "$PG_OSUSER": "$PG_DATA/xget.conf"
}

pg_psql() { # sql... (runs as the cluster superuser over the unix socket)
  pg_as "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -d postgres "$@"
}

pg_ensure_roles() {
  pg_psql -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
        CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
      ELSIF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE' AND rolcanlogin AND rolcreatedb) THEN
        ALTER ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
      END IF;
    END \$\$;" >/dev/null
  local db
  for db in $PG_DATABASES; do
    if [ "$(pg_psql -tA -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
      pg_psql -c "CREATE DATABASE $db OWNER $PG_ROLE" >/dev/null
      say "postgres: created database $db (owner $PG_ROLE)"
    fi
  done
}

pg_ready() { "$PG_BIN/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT" -d postgres; }

pg_up() {
  pg_install
  pg_layout
  local pid
  if pid=$(pg_running_pid); then
    if pg_ready; then
      pg_ensure_roles
      say "postgres: running (pid $pid) on $PG_HOST:$PG_PORT"
      return 0
    fi
  fi
  local t0
  t0=$(now)
  say "postgres: starting on $PG_HOST:$PG_PORT..."
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    pg_initdb
  fi
  if [ -z "${pid:-}" ]; then
    port_open "$PG_HOST" "$PG_PORT" && fail_port_taken postgres "$PG_PORT" XGET_PG_PORT
    # After a crash (kill -9) the backends exit on their own within a moment; wait for them,
    # since PostgreSQL refuses to start while they still hold the old shared memory.
    local orphans deadline=$((SECONDS + 15))
    orphans=$(pg_orphans)
    while [ -n "$orphans" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.3; orphans=$(pg_orphans); done
    if [ -n "$orphans" ]; then
      say "postgres: killing leftover processes of the crashed server: $(echo $orphans)"
      kill -KILL $orphans 2>/dev/null || true
      sleep 0.5
    fi
    # Lock files left by a crashed server. Their pid is dead or belongs to another program
    # (checked above); PostgreSQL itself would refuse to start while that pid exists, even as a
    # zombie, so wait for a zombie to be reaped and then remove the stale files.
    local lock old
    for lock in "$PG_DATA/postmaster.pid" "$PG_SOCK/.s.PGSQL.$PG_PORT.lock"; do
      [ -f "$lock" ] || continue
      old=$(head -n1 "$lock" 2>/dev/null | tr -dc 0-9)
      if [ -n "$old" ] && [ -e "/proc/$old" ] && ! pid_alive "$old"; then wait_gone "$old" 10 || true; fi
      say "postgres: removing stale ${lock##*/} (pid ${old:-?})"
      rm -f "$lock"
      [ "${lock##*/}" = postmaster.pid ] || rm -f "$PG_SOCK/.s.PGSQL.$PG_PORT"
    done
    pg_write_conf
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_BASE/log/postgres.log" -s -w -t "$TIMEOUT" start \
      >>"$PG_BASE/log/postgres.log" 2>&1 9>&- \
      || die_with_logs "postgres: failed to start" "$LOG/postgres.log"
    pid=$(pg_running_pid) || die_with_logs "postgres: started but no live postmaster" "$LOG/postgres.log"
  fi
  wait_until "$pid" pg_ready || die_with_logs "postgres: not ready after ${TIMEOUT}s" "$LOG/postgres.log"
  pg_ensure_roles
  say "postgres: ready in $(since "$t0") (pid $pid)"
}

pg_down() {
  pg_find_bin || { say "postgres: not installed"; return 0; }
  if [ ! -e "$VAR/pg" ]; then say "postgres: not started by this project"; return 0; fi
  if is_root; then PG_OSUSER=postgres; else PG_OSUSER=$(id -un); fi
  PG_BASE=$(readlink -f "$VAR/pg"); PG_DATA=$PG_BASE/data; PG_SOCK=$PG_BASE/run
  local pid t0
  if ! pid=$(pg_running_pid); then say "postgres: not running"; return 0; fi
  t0=$(now)
  say "postgres: stopping (pid $pid)..."
  if ! pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -s -w -t 60 -m fast stop >>"$PG_BASE/log/postgres.log" 2>&1; then
    say "postgres: fast shutdown did not finish in 60s, trying immediate"
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -s -w -t 20 -m immediate stop >>"$PG_BASE/log/postgres.log" 2>&1 || true
    if pid_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  while pid_alive "$pid"; do sleep 0.1; done
  wait_gone "$pid" 10 || true
  rm -f "$RUN/postgres.pid"
  say "postgres: stopped in $(since "$t0")"
}

pg_status() {
  local pid=""
  if [ -e "$VAR/pg" ]; then
    PG_BASE=$(readlink -f "$VAR/pg"); PG_DATA=$PG_BASE/data
    pid=$(pg_running_pid) || pid=""
  fi
  print_status postgres "$pid" "$PG_HOST:$PG_PORT" "postgresql://$PG_ROLE:$PG_PASSWORD@$PG_HOST:$PG_PORT/xget"
}

# ----------------------------------------------------------------------------------------------
# Kafka

KAFKA_MATCH=""  # string that identifies our broker's command line
kafka_set_match() { KAFKA_MATCH="kafka.Kafka $KAFKA_PROPS"; }

java_ok() {
  command -v java >/dev/null 2>&1 || return 1
  local v
  v=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [ "${v%%.*}" -ge 17 ] 2>/dev/null
}

kafka_prepare() {
  java_ok || apt_install openjdk-17-jre-headless
  java_ok || { err "kafka: Java 17+ is required (java -version: $(java -version 2>&1 | head -n1))"; exit 1; }
  mkdir -p "$KAFKA_DIR"
  local want stamp=$KAFKA_DIR/libs.sha256
  want=$(sha256sum "$ROOT/infra/kafka/pom.xml" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -d "$KAFKA_LIBS" ]; then
    command -v mvn >/dev/null 2>&1 || apt_install maven
    local t0
    t0=$(now)
    say "kafka: fetching broker jars from Maven Central (infra/kafka/pom.xml)..."
    rm -rf "$KAFKA_LIBS" "$stamp"
    mvn -q -B -ntp -Dstyle.color=never -f "$ROOT/infra/kafka/pom.xml" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" \
      >"$LOG/kafka-libs.log" 2>&1 \
      || die_with_logs "kafka: mvn dependency:copy-dependencies failed" "$LOG/kafka-libs.log"
    echo "$want" > "$stamp"
    say "kafka: $(ls "$KAFKA_LIBS" | wc -l) jars in $(since "$t0") ($(ls "$KAFKA_LIBS" | grep -o '^kafka_2.13-.*\.jar' || true))"
  fi
  sed -e "s#@HOST@#$KAFKA_HOST#g" \
      -e "s#@PORT@#$KAFKA_PORT#g" \
      -e "s#@CONTROLLER_HOST@#$KAFKA_HOST#g" \
      -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
      -e "s#@LOG_DIRS@#$KAFKA_DIR/data#g" \
      "$ROOT/infra/kafka/server.properties" > "$KAFKA_PROPS.tmp"
  mv -f "$KAFKA_PROPS.tmp" "$KAFKA_PROPS"
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    [ -s "$KAFKA_DIR/cluster.id" ] || java -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool random-uuid \
      > "$KAFKA_DIR/cluster.id" 2>>"$LOG/kafka.out"
    say "kafka: formatting storage in $KAFKA_DIR/data (cluster id $(cat "$KAFKA_DIR/cluster.id"))"
    mkdir -p "$KAFKA_DIR/data"
    java "${KAFKA_LOG_OPTS[@]}" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format \
      -t "$(cat "$KAFKA_DIR/cluster.id")" -c "$KAFKA_PROPS" --ignore-formatted \
      >>"$LOG/kafka.out" 2>&1 \
      || die_with_logs "kafka: storage format failed" "$LOG/kafka.out" "$LOG/kafka.log"
  fi
}

kafka_started_since() { # byte offset into kafka.log
  tail -c +"$(( $1 + 1 ))" "$LOG/kafka.log" 2>/dev/null | grep -q "Kafka Server started"
}
kafka_ready() { kafka_started_since "$1" && port_open "$KAFKA_HOST" "$KAFKA_PORT"; }

kafka_up() {
  kafka_set_match
  local pid t0 offset=""
  if pid=$(read_pid "$RUN/kafka.pid" "$KAFKA_MATCH") && port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    say "kafka: running (pid $pid) on $KAFKA_HOST:$KAFKA_PORT"
    return 0
  fi
  t0=$(now)
  kafka_prepare
  if [ -z "${pid:-}" ]; then
    if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      adopt_listener kafka "$KAFKA_PORT" "$KAFKA_MATCH" "$RUN/kafka.pid" && return 0
      fail_port_taken kafka "$KAFKA_PORT" XGET_KAFKA_PORT
    fi
    port_open "$KAFKA_HOST" "$KAFKA_CONTROLLER_PORT" \
      && fail_port_taken kafka "$KAFKA_CONTROLLER_PORT" XGET_KAFKA_CONTROLLER_PORT
    say "kafka: starting on $KAFKA_HOST:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)..."
    offset=$(stat -c %s "$LOG/kafka.log" 2>/dev/null || echo 0)
    printf '===== %s services.sh: starting kafka\n' "$(date -Is)" >> "$LOG/kafka.out"
    spawn "$LOG/kafka.out" java -Xms256m -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
      "${KAFKA_LOG_OPTS[@]}" -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS"
    pid=$STARTED_PID
    echo "$pid" > "$RUN/kafka.pid"
  else
    # Process alive but port closed: it is still starting (or stuck); wait for it.
    say "kafka: process $pid exists but port $KAFKA_PORT is closed; waiting..."
  fi
  local rc=0
  if [ -n "${offset:-}" ]; then
    wait_until "$pid" kafka_ready "$offset" || rc=$?
  else
    wait_until "$pid" port_open "$KAFKA_HOST" "$KAFKA_PORT" || rc=$?
  fi
  if [ "$rc" = 2 ]; then
    rm -f "$RUN/kafka.pid"
    die_with_logs "kafka: the broker exited during startup" "$LOG/kafka.log" "$LOG/kafka.out"
  elif [ "$rc" != 0 ]; then
    die_with_logs "kafka: not ready after ${TIMEOUT}s (pid $pid still running; see $LOG/kafka.log)" \
      "$LOG/kafka.log" "$LOG/kafka.out"
  fi
  say "kafka: ready in $(since "$t0") (pid $pid)"
}

kafka_down() {
  kafka_set_match
  local pid
  if ! pid=$(read_pid "$RUN/kafka.pid" "$KAFKA_MATCH"); then say "kafka: not running"; return 0; fi
  say "kafka: stopping (pid $pid)..."
  stop_pid kafka "$pid" 60
  rm -f "$RUN/kafka.pid"
}

kafka_status() {
  kafka_set_match
  local pid
  pid=$(read_pid "$RUN/kafka.pid" "$KAFKA_MATCH") || pid=""
  print_status kafka "$pid" "$KAFKA_HOST:$KAFKA_PORT" "bootstrap servers $KAFKA_HOST:$KAFKA_PORT"
}

# ----------------------------------------------------------------------------------------------
# FerretDB

FERRET_MATCH="$FERRET_BIN"

# Build the launcher in the background when it is missing or older than its sources.
# Sets FERRET_BUILD_PID (empty when no build is needed).
FERRET_BUILD_PID=""
ferret_build_start() {
  local src=$ROOT/infra/ferretdb
  [ -z "$FERRET_BUILD_PID" ] || return 0  # already building
  if [ -x "$FERRET_BIN" ] && [ -z "$(find "$src" -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -newer "$FERRET_BIN" | head -n1)" ]; then
    return 0
  fi
  if ! command -v go >/dev/null 2>&1; then
    err "ferretdb: Go >= 1.24 is required to build infra/ferretdb (https://go.dev/doc/install); 'go' not found"
    exit 1
  fi
  mkdir -p "$FERRET_DIR/bin"
  say "ferretdb: building launcher (go build infra/ferretdb; the first build compiles a pure-Go SQLite and takes minutes)..."
  FERRET_BUILD_T0=$(now)
  ( cd "$src" && exec go build -buildvcs=false -trimpath -o "$FERRET_BIN.new" . ) >"$LOG/ferretdb-build.log" 2>&1 9>&- &
  FERRET_BUILD_PID=$!
}

ferret_build_wait() {
  [ -n "$FERRET_BUILD_PID" ] || return 0
  if ! wait "$FERRET_BUILD_PID"; then
    die_with_logs "ferretdb: go build failed" "$LOG/ferretdb-build.log"
  fi
  mv -f "$FERRET_BIN.new" "$FERRET_BIN"
  FERRET_BUILD_PID=""
  say "ferretdb: built in $(since "$FERRET_BUILD_T0")"
}

ferret_ping() {
  port_open "$MONGO_HOST" "$MONGO_PORT" || return 1
  local py=$ROOT/.venv/bin/python
  if [ -x "$py" ] && "$py" -c 'import pymongo' 2>/dev/null; then
    "$py" - "$MONGO_HOST" "$MONGO_PORT" <<'EOF' >/dev/null 2>&1
import sys, pymongo
c = pymongo.MongoClient(host=sys.argv[1], port=int(sys.argv[2]), directConnection=True,
                        serverSelectionTimeoutMS=2000, connectTimeoutMS=2000)
assert c.admin.command("ping")["ok"] == 1
EOF
  fi
}

ferret_up() {
  local pid t0
  if pid=$(read_pid "$RUN/ferretdb.pid" "$FERRET_MATCH") && port_open "$MONGO_HOST" "$MONGO_PORT"; then
    say "ferretdb: running (pid $pid) on $MONGO_HOST:$MONGO_PORT"
    return 0
  fi
  ferret_build_start
  ferret_build_wait
  t0=$(now)
  if [ -z "${pid:-}" ]; then
    if port_open "$MONGO_HOST" "$MONGO_PORT"; then
      adopt_listener ferretdb "$MONGO_PORT" "$FERRET_MATCH" "$RUN/ferretdb.pid" && return 0
      fail_port_taken ferretdb "$MONGO_PORT" XGET_MONGO_PORT
    fi
    say "ferretdb: starting on $MONGO_HOST:$MONGO_PORT..."
    mkdir -p "$FERRET_DIR/data"
    printf '===== %s services.sh: starting ferretdb\n' "$(date -Is)" >> "$LOG/ferretdb.log"
    spawn "$LOG/ferretdb.log" "$FERRET_BIN" -listen-addr "$MONGO_HOST:$MONGO_PORT" -handler sqlite \
      -data-dir "$FERRET_DIR/data" -log-level "$FERRETDB_LOG_LEVEL"
    pid=$STARTED_PID
    echo "$pid" > "$RUN/ferretdb.pid"
  fi
  local rc=0
  wait_until "$pid" ferret_ping || rc=$?
  if [ "$rc" = 2 ]; then
    rm -f "$RUN/ferretdb.pid"
    die_with_logs "ferretdb: exited during startup" "$LOG/ferretdb.log"
  elif [ "$rc" != 0 ]; then
    die_with_logs "ferretdb: not ready after ${TIMEOUT}s (pid $pid)" "$LOG/ferretdb.log"
  fi
  say "ferretdb: ready in $(since "$t0") (pid $pid)"
}

ferret_down() {
  local pid
  if ! pid=$(read_pid "$RUN/ferretdb.pid" "$FERRET_MATCH"); then say "ferretdb: not running"; return 0; fi
  say "ferretdb: stopping (pid $pid)..."
  stop_pid ferretdb "$pid" 30
  rm -f "$RUN/ferretdb.pid"
}

ferret_status() {
  local pid
  pid=$(read_pid "$RUN/ferretdb.pid" "$FERRET_MATCH") || pid=""
  print_status ferretdb "$pid" "$MONGO_HOST:$MONGO_PORT" "mongodb://$MONGO_HOST:$MONGO_PORT/?directConnection=true"
}

# ----------------------------------------------------------------------------------------------

print_status() { # service pid address url
  if [ -n "$2" ]; then
    printf '%-9s %-8s pid %-8s %-16s %s\n' "$1" running "$2" "$3" "$4"
  else
    printf '%-9s %-8s pid %-8s %-16s\n' "$1" stopped - "$3"
  fi
}

wants() { [[ " $SERVICES " == *" $1 "* ]]; }

KAFKA_LOG_OPTS=(-Dlog4j2.configurationFile="file:$ROOT/infra/kafka/log4j2.xml" -Dxget.kafka.logfile="$LOG/kafka.log")

# One `up`/`down` at a time.
lock() {
  exec 9>"$RUN/services.lock"
  if ! flock -w 600 9; then err "services.sh: another up/down holds $RUN/services.lock"; exit 1; fi
}

cmd_up() {
  lock
  local t0
  t0=$(now)
  trap 'if [ -n "$FERRET_BUILD_PID" ]; then kill "$FERRET_BUILD_PID" 2>/dev/null || true; fi' EXIT
  # The FerretDB build (minutes the first time) overlaps with starting PostgreSQL and Kafka.
  if wants ferretdb && ! read_pid "$RUN/ferretdb.pid" "$FERRET_MATCH" >/dev/null; then ferret_build_start; fi
  wants postgres && pg_up
  wants kafka && kafka_up
  wants ferretdb && ferret_up
  say "services: up in $(since "$t0") (logs in ${LOG#"$ROOT"/}/)"
}

cmd_down() {
  lock
  wants ferretdb && ferret_down
  wants kafka && kafka_down
  wants postgres && pg_down
  return 0
}

cmd_status() {
  wants postgres && pg_status
  wants kafka && kafka_status
  wants ferretdb && ferret_status
  return 0
}

main() {
  mkdir -p "$RUN" "$LOG"
  case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    restart) cmd_down; cmd_up ;;
    *) err "usage: $0 up|down|status|restart"; exit 2 ;;
  esac
}

main "$@"
