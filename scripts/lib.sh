# Functions shared by scripts/up and scripts/test: build, start a private PostgreSQL and
# Redis on free loopback ports, apply migrations, start the services, write the env file.
# Sourced, not run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${DIALOGUE_BUILD_DIR:-$ROOT/build}"
PG_BIN="$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)"
SERVICES=(planning intake notices sessions supervision)  # every service that exists; each gets DIALOGUE_<NAME>_ADDR

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

setup_if_needed() {
  if [ -z "$PG_BIN" ] || ! command -v redis-server >/dev/null || ! command -v cmake >/dev/null ||
     ! command -v ninja >/dev/null || ! command -v grpc_cpp_plugin >/dev/null ||
     ! pkg-config --exists libpqxx 2>/dev/null || ! command -v prometheus >/dev/null ||
     ! command -v bwrap >/dev/null || ! command -v stunnel >/dev/null ||
     ! command -v node >/dev/null || ! command -v chromium >/dev/null ||
     [ ! -d "$ROOT/deploy/k8s/check/node_modules" ] || [ ! -d "$ROOT/web/node_modules" ] ||
     [ "$ROOT/deploy/k8s/check/package-lock.json" -nt "$ROOT/deploy/k8s/check/node_modules" ] ||
     [ "$ROOT/web/package-lock.json" -nt "$ROOT/web/node_modules" ]; then
    "$ROOT/scripts/setup"
    PG_BIN="$(ls -d /usr/lib/postgresql/15/bin)"
  fi
}

build() {
  if [ ! -f "$BUILD/build.ninja" ]; then
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DDIALOGUE_SANITIZE="${DIALOGUE_SANITIZE:-OFF}" >/dev/null
  fi
  ninja -C "$BUILD" -j "$(nproc)"
  # The web pages, typed against this build's own OpenAPI document (printed by the gateway;
  # a sanitized build's leak report at exit is no business of this step).
  (cd "$ROOT/web" && ASAN_OPTIONS=detect_leaks=0 DIALOGUE_GATEWAY_BIN="$BUILD/gateway/gateway" \
    npm run --silent build -- --logLevel warn) || die "the web pages do not build"
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds (0) or SECONDS
# pass (1).
wait_for() {
  local tries=$(( $1 * 10 ))
  shift
  for _ in $(seq 1 "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  "$@" >/dev/null 2>&1
}

# exited PID: the process is gone.
exited() { ! kill -0 "$1" 2>/dev/null; }

# listening PORT: something accepts connections on 127.0.0.1:PORT.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port [TAKEN...]: a port on 127.0.0.1 that nothing listens on now and that is none of
# TAKEN. It is drawn from below the kernel's ephemeral range, so no outgoing connection of a
# running test can be holding it when a server comes to bind it.
free_port() {
  local port low=32768 taken
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  (( low > 11000 )) || die "the ephemeral port range starts at $low: no room below it"
  for _ in $(seq 1 200); do
    port=$(( 10000 + RANDOM % (low - 10000) ))
    for taken in "$@"; do [[ $port == "$taken" ]] && continue 2; done
    if ! listening "$port"; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

# PostgreSQL refuses to run as root: as root, the server runs as the 'postgres' user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_postgres DATA_DIR PORT DURABLE(yes|no)
start_postgres() {
  local data="$1" port="$2" durable="$3"
  mkdir -p "$data"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$data"; fi
  chmod 700 "$data"
  if [ ! -f "$data/PG_VERSION" ]; then
    as_pg "$PG_BIN/initdb" -D "$data" -U dialogue_admin --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$data.initdb.log" 2>&1 || { cat "$data.initdb.log" >&2; die "initdb failed"; }
  fi
  local extra=""
  if [ "$durable" = no ]; then extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
  as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='' -c max_connections=200 $extra" \
    start >/dev/null || { tail -20 "$data/server.log" >&2; die "PostgreSQL did not start"; }
  psql "postgresql://dialogue_admin@127.0.0.1:$port/postgres" -qAtc \
    "SELECT 1 FROM pg_database WHERE datname = 'dialogue'" | grep -q 1 ||
    psql "postgresql://dialogue_admin@127.0.0.1:$port/postgres" -qc "CREATE DATABASE dialogue" >/dev/null
}

stop_postgres() {
  local data="$1"
  [ -f "$data/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

# start_redis DIR PORT DURABLE(yes|no)
start_redis() {
  local dir="$1" port="$2" durable="$3"
  mkdir -p "$dir"
  local persist=(--save "" --appendonly no)
  if [ "$durable" = yes ]; then persist=(--appendonly yes); fi
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" "${persist[@]}" >/dev/null
  wait_for 5 redis_answers "$port" ||
    { tail -5 "$dir/redis.log" >&2; die "Redis did not start on port $port"; }
}

redis_answers() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }

stop_redis() {
  local dir="$1"
  if [ -f "$dir/redis.pid" ]; then
    kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    rm -f "$dir/redis.pid"
  fi
}

migrate() {
  local admin_uri="$1"
  for svc in "${SERVICES[@]}"; do
    "$BUILD/tools/dialoguectl/dialoguectl" migrate --pg-uri "$admin_uri" --service "$svc" \
      --dir "$ROOT/services/$svc/migrations" >&2
  done
}

# start_collector RUN_DIR: the local span collector (OTLP/HTTP JSON into RUN_DIR/traces.jsonl,
# read by 'dialoguectl traces show'); every program started after it exports to it.
# DIALOGUE_TRACING=off leaves it out (the benchmarks measure without tracing unless asked).
start_collector() {
  local run="$1" port
  [ "${DIALOGUE_TRACING:-on}" = off ] && return 0
  mkdir -p "$run/logs" "$run/pids"
  port=$(free_port)
  nohup "$BUILD/tools/dialoguectl/dialoguectl" traces collect --listen "127.0.0.1:$port" \
    --out "$run/traces.jsonl" >>"$run/logs/collector.log" 2>&1 &
  echo $! >"$run/pids/collector.pid"
  wait_for 5 listening "$port" || die "the span collector did not start"
  {
    echo "export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$port"
    echo "export DIALOGUE_TRACES_FILE=$run/traces.jsonl"
  } >>"$run/services.env"
}

# start_services RUN_DIR PG_PORT REDIS_PORT TOKEN_SECRET: starts every service, records
# DIALOGUE_<SVC>_ADDR lines in RUN_DIR/services.env.
start_services() {
  local run="$1" pg_port="$2" redis_port="$3" secret="$4"
  mkdir -p "$run/logs" "$run/pids"
  for svc in "${SERVICES[@]}"; do
    local port upper metrics_port
    port=$(free_port)
    metrics_port=$(free_port "$port")
    upper=$(echo "$svc" | tr '[:lower:]' '[:upper:]')
    (
      # The addresses of the services started before (sessions and supervision call intake).
      # shellcheck disable=SC1091
      . "$run/services.env"
      env "DIALOGUE_${upper}_PG_URI=postgresql://dialogue_${svc}@127.0.0.1:$pg_port/dialogue" \
          "DIALOGUE_${upper}_LISTEN=127.0.0.1:$port" "DIALOGUE_METRICS_LISTEN=127.0.0.1:$metrics_port" \
          "DIALOGUE_REDIS_URI=redis://127.0.0.1:$redis_port" "DIALOGUE_TOKEN_SECRET=$secret" \
          "DIALOGUE_HOLIDAYS_FILE=$ROOT/libs/calendar/data/vn_holidays.json" \
        nohup "$BUILD/services/$svc/$svc" >>"$run/logs/$svc.log" 2>&1 &
      echo $! >"$run/pids/$svc.pid"
    )
    "$BUILD/tools/dialoguectl/dialoguectl" wait --addr "127.0.0.1:$port" --timeout-seconds 30 ||
      { tail -20 "$run/logs/$svc.log" >&2; die "$svc did not start"; }
    echo "export DIALOGUE_${upper}_ADDR=127.0.0.1:$port" >>"$run/services.env"
    echo "export DIALOGUE_${upper}_METRICS_ADDR=127.0.0.1:$metrics_port" >>"$run/services.env"
  done
}

# start_gateway RUN_DIR TOKEN_SECRET: the HTTP door, in front of every service of
# RUN_DIR/services.env; adds DIALOGUE_GATEWAY_URL to it.
start_gateway() {
  local run="$1" secret="$2" port metrics_port
  port=$(free_port)
  metrics_port=$(free_port "$port")
  (
    # shellcheck disable=SC1091
    . "$run/services.env"
    env "DIALOGUE_GATEWAY_LISTEN=127.0.0.1:$port" "DIALOGUE_METRICS_LISTEN=127.0.0.1:$metrics_port" \
      "DIALOGUE_TOKEN_SECRET=$secret" \
      nohup "$BUILD/gateway/gateway" --static-dir "$ROOT/web/dist" >>"$run/logs/gateway.log" 2>&1 &
    echo $! >"$run/pids/gateway.pid"
  )
  wait_for 10 curl -fs "http://127.0.0.1:$port/readyz" ||
    { tail -20 "$run/logs/gateway.log" >&2; die "the gateway is not ready"; }
  echo "export DIALOGUE_GATEWAY_URL=http://127.0.0.1:$port" >>"$run/services.env"
  echo "export DIALOGUE_GATEWAY_METRICS_ADDR=127.0.0.1:$metrics_port" >>"$run/services.env"
}

# start_prometheus RUN_DIR: a Prometheus (Debian's) scraping every program of
# RUN_DIR/services.env every 5 s, with deploy/k8s/observability's rules; adds
# DIALOGUE_PROMETHEUS_URL. DIALOGUE_PROMETHEUS=off leaves it out.
start_prometheus() {
  local run="$1" port
  [ "${DIALOGUE_PROMETHEUS:-on}" = off ] && return 0
  command -v prometheus >/dev/null || die "prometheus is not installed (scripts/setup installs it)"
  port=$(free_port)
  (
    # shellcheck disable=SC1091
    . "$run/services.env"
    cat <<YAML
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files:
  - $ROOT/deploy/k8s/observability/prometheus/rules.yml
scrape_configs:
  - job_name: dialogue
    static_configs:
YAML
    for program in gateway "${SERVICES[@]}"; do
      local var
      var="DIALOGUE_$(echo "$program" | tr '[:lower:]' '[:upper:]')_METRICS_ADDR"
      printf '      - targets: ["%s"]\n        labels: {program: %s}\n' "${!var}" "$program"
    done
  ) >"$run/prometheus.yml"
  mkdir -p "$run/prometheus"
  nohup prometheus --config.file="$run/prometheus.yml" --storage.tsdb.path="$run/prometheus" \
    --web.listen-address="127.0.0.1:$port" >>"$run/logs/prometheus.log" 2>&1 &
  echo $! >"$run/pids/prometheus.pid"
  wait_for 10 curl -fs "http://127.0.0.1:$port/-/ready" ||
    { tail -20 "$run/logs/prometheus.log" >&2; die "Prometheus did not start"; }
  echo "export DIALOGUE_PROMETHEUS_URL=http://127.0.0.1:$port" >>"$run/services.env"
}

stop_services() {
  local run="$1"
  for pidfile in "$run"/pids/*.pid; do
    [ -f "$pidfile" ] || continue
    local pid
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    wait_for 10 exited "$pid" || kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

# start_stack RUN_DIR DURABLE: everything up, env written to RUN_DIR/env.
start_stack() {
  local run="$1" durable="$2"
  mkdir -p "$run"
  chmod 755 "$run"
  local pg_port redis_port secret
  pg_port=$(free_port)
  redis_port=$(free_port "$pg_port")
  secret=$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | head -c 40)
  local pg_data="$run/pg"
  # The postgres user must reach the data folder; a checkout under /root is not reachable.
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$run"; then
    pg_data="$(mktemp -d /tmp/dialogue-pg.XXXXXX)"
    chmod 755 "$pg_data"
    pg_data="$pg_data/pg"
  fi
  echo "$pg_data" >"$run/pg_data_dir"
  start_postgres "$pg_data" "$pg_port" "$durable"
  start_redis "$run/redis" "$redis_port" "$durable"
  local admin_uri="postgresql://dialogue_admin@127.0.0.1:$pg_port/dialogue"
  migrate "$admin_uri"
  : >"$run/services.env"
  start_collector "$run"
  start_services "$run" "$pg_port" "$redis_port" "$secret"
  start_gateway "$run" "$secret"
  start_prometheus "$run"
  {
    echo "# Written by scripts/$(basename "$0") on $(date -u +%FT%TZ). Source it: . $run/env"
    cat "$run/services.env"
    echo "export DIALOGUE_PG_URI=$admin_uri"
    echo "export DIALOGUE_PG_PORT=$pg_port"
    echo "export DIALOGUE_REDIS_URI=redis://127.0.0.1:$redis_port"
    echo "export DIALOGUE_TOKEN_SECRET=$secret"
    echo "export DIALOGUE_TOKEN_CMD=\"$BUILD/tools/dialoguectl/dialoguectl token\""
  } >"$run/env"
}

stop_stack() {
  local run="$1"
  [ -d "$run" ] || return 0
  stop_services "$run"
  stop_redis "$run/redis"
  if [ -f "$run/pg_data_dir" ]; then stop_postgres "$(cat "$run/pg_data_dir")"; fi
}

load_demo() {
  local run="$1"
  # shellcheck disable=SC1091
  . "$run/env"
  "$BUILD/tools/dialoguectl/dialoguectl" demo --planning-addr "$DIALOGUE_PLANNING_ADDR" \
    --intake-addr "$DIALOGUE_INTAKE_ADDR" --notices-addr "$DIALOGUE_NOTICES_ADDR" \
    --sessions-addr "$DIALOGUE_SESSIONS_ADDR" \
    --dir "$ROOT/deploy/demo" --token-secret "$DIALOGUE_TOKEN_SECRET"
}
