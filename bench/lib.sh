# lib.sh: what the benchmark scripts (run.sh, sts.sh, s3.sh) share, sourced
# by each: settings from the environment, the temporary directory and the
# clean-up of every process started, a free port, waiting for a server,
# nginx (the machine's ceiling) and gatehouse start and stop, and wrk runs
# read into "REQ_PER_S P99_MS".
#
# A script sets BENCH_NAME, sources this file and calls
# `bench_init TOOL...`; it then has BUILD_DIR, WRK_THREADS, WRK_CONNS,
# WRK_DURATION, GATEHOUSE, PYTHON and TMP (removed on exit).
# Environment: BUILD_DIR (default build), WRK_THREADS (2), WRK_CONNS (64),
# WRK_DURATION (10s).

BUILD_DIR=${BUILD_DIR:-build}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-64}
WRK_DURATION=${WRK_DURATION:-10s}
GATEHOUSE=$BUILD_DIR/gatehouse
PYTHON=/usr/bin/python3
NGINX_PID=""
GH_PID=""
TMP=""

die() { echo "bench/${BENCH_NAME:-bench}: $*" >&2; exit 1; }

bench_cleanup() {
    status=$?
    trap - EXIT INT TERM
    if [ -n "$GH_PID" ] && kill -0 "$GH_PID" 2>/dev/null; then
        kill -TERM "$GH_PID" 2>/dev/null || true
        wait "$GH_PID" 2>/dev/null || true
    fi
    if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
        kill -QUIT "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
    fi
    [ -n "$TMP" ] && rm -rf "$TMP"
    exit "$status"
}

# bench_init TOOL...: checks the tools and the gatehouse binary, makes TMP
# and arranges for everything to be stopped and removed on exit.
bench_init() {
    for tool in "$@" "$PYTHON"; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool not found; run 'scripts/install-deps.sh bench'"
    done
    [ -x "$GATEHOUSE" ] || die "$GATEHOUSE not found; run 'make' (or 'make bench') first"
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-${BENCH_NAME%.sh}-bench.XXXXXX")
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

free_port() {
    "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL PID NAME: until URL answers 200, or PID dies, or 30 s pass.
wait_http() {
    i=0
    while [ $i -lt 300 ]; do
        if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
        kill -0 "$2" 2>/dev/null || die "$3 exited during start-up"
        sleep 0.1
        i=$((i + 1))
    done
    die "$3 did not answer $1 within 30 s"
}

# run_wrk NAME URL [LUA]: runs wrk and prints "REQ_PER_S P99_MS" on stdout
# (wrk's own report goes to stderr); any non-2xx answer fails the run, as
# the numbers would mean nothing.
run_wrk() {
    name=$1 url=$2 script=${3:-}
    out=$TMP/wrk-$name.txt
    set -- -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$WRK_DURATION" --latency
    [ -n "$script" ] && set -- "$@" -s "$script"
    wrk "$@" "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk against $name failed"; }
    sed 's/^/    /' "$out" >&2
    if grep -q "Non-2xx or 3xx responses" "$out"; then
        die "$name answered errors under load; its numbers would mean nothing"
    fi
    awk '
        function ms(v) {
            if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
            if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
            if (v ~ /m$/)  { sub(/m$/, "", v);  return v * 60000 }
            if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
            return v + 0
        }
        $1 == "Requests/sec:" { rps = $2 }
        $1 == "99%" { p99 = ms($2) }
        END {
            if (rps == "" || p99 == "") exit 1
            printf "%s %.3f\n", rps, p99
        }' "$out" || die "could not read wrk output for $name"
}

# nginx_start TYPE PATH: nginx, NGINX_WORKERS workers (default one),
# serving $TMP/nginx/www (which the caller fills) with default_type TYPE;
# returns once PATH answers. Sets NGINX_PORT and NGINX_PID.
nginx_start() {
    NGINX_PORT=$(free_port)
    mkdir -p "$TMP/nginx/www" "$TMP/nginx/tmp"
    chmod 755 "$TMP" "$TMP/nginx" "$TMP/nginx/www"
    temp_paths=""
    for m in client_body proxy fastcgi uwsgi scgi; do
        if [ "$m" = client_body ] || ! nginx -V 2>&1 | grep -q -- "--without-http_${m}_module"; then
            temp_paths="$temp_paths    ${m}_temp_path $TMP/nginx/tmp/$m;
"
        fi
    done
    user_line=""
    [ "$(id -u)" -eq 0 ] && user_line="user root;"
    cat >"$TMP/nginx/nginx.conf" <<NGINX
$user_line
worker_processes ${NGINX_WORKERS:-1};
daemon off;
master_process on;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
$temp_paths    default_type $1;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $TMP/nginx/www;
        location / { }
    }
}
NGINX
    nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" &
    NGINX_PID=$!
    wait_http "http://127.0.0.1:$NGINX_PORT/$2" "$NGINX_PID" nginx
}

nginx_stop() {
    [ -n "$NGINX_PID" ] || return 0
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=""
}

# gh_start: `gatehouse serve` on a free port with its data in $TMP/gh/data;
# returns once /healthz answers. Sets GH_PORT, GH_EP and GH_PID.
gh_start() {
    GH_PORT=$(free_port)
    GH_EP="http://127.0.0.1:$GH_PORT"
    mkdir -p "$TMP/gh"
    "$GATEHOUSE" serve --listen "127.0.0.1:$GH_PORT" --data-dir "$TMP/gh/data" \
        >"$TMP/gh/stdout" 2>"$TMP/gh/stderr" &
    GH_PID=$!
    if ! (wait_http "$GH_EP/healthz" "$GH_PID" gatehouse); then
        cat "$TMP/gh/stderr" >&2
        exit 1
    fi
}

# gh_stop: SIGTERM, and the server must exit cleanly (status 0).
gh_stop() {
    [ -n "$GH_PID" ] || return 0
    kill -TERM "$GH_PID" 2>/dev/null || true
    rc=0
    wait "$GH_PID" || rc=$?
    GH_PID=""
    [ "$rc" -eq 0 ] || { cat "$TMP/gh/stderr" >&2; die "gatehouse exited with status $rc on SIGTERM"; }
}
