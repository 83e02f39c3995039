#!/bin/sh
# run.sh: the benchmark run behind `make bench`. Measures the machine's
# ceiling (nginx serving a static 300-byte body) and gatehouse answering a
# signed STS GetCallerIdentity, both under the same wrk load, prints
# requests/s, p99 and the gatehouse/nginx ratios, then runs every
# build/bench_* program. Cleans up its processes and temp dir on exit.
#
# Environment: BUILD_DIR (default build), WRK_THREADS (2), WRK_CONNS (64),
# WRK_DURATION (10s).
set -eu

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-64}
WRK_DURATION=${WRK_DURATION:-10s}
GATEHOUSE=$BUILD_DIR/gatehouse
PYTHON=/usr/bin/python3

die() { echo "bench/run.sh: $*" >&2; exit 1; }

for tool in wrk nginx curl "$PYTHON"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found; run 'scripts/install-deps.sh bench'"
done
[ -x "$GATEHOUSE" ] || die "$GATEHOUSE not found; run 'make' (or 'make bench') first"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench.XXXXXX")
NGINX_PID=""
GH_PID=""
cleanup() {
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
    rm -rf "$TMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL PID NAME: until URL answers 200, or PID dies, or 30 s pass.
wait_http() {
    i=0
    while [ $i -lt 300 ]; do
        if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
        kill -0 "$2" 2>/dev/null || die "$3 exited during start-up (logs in $TMP are removed on exit; see above)"
        sleep 0.1
        i=$((i + 1))
    done
    die "$3 did not answer $1 within 30 s"
}

# run_wrk NAME URL [LUA]: runs wrk and prints "REQ_PER_S P99_MS" on stdout.
run_wrk() {
    name=$1 url=$2 script=${3:-}
    out=$TMP/wrk-$name.txt
    if [ -n "$script" ]; then
        wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$WRK_DURATION" --latency -s "$script" "$url" >"$out" 2>&1 ||
            { cat "$out" >&2; die "wrk against $name failed"; }
    else
        wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$WRK_DURATION" --latency "$url" >"$out" 2>&1 ||
            { cat "$out" >&2; die "wrk against $name failed"; }
    fi
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

echo "== machine: $(nproc) cores; wrk -t$WRK_THREADS -c$WRK_CONNS -d$WRK_DURATION"

# ---- nginx: the ceiling ----
NGINX_PORT=$(free_port)
mkdir -p "$TMP/nginx/www" "$TMP/nginx/tmp"
"$PYTHON" -c 'import sys; sys.stdout.write("x" * 299 + "\n")' >"$TMP/nginx/www/body.txt"
chmod 755 "$TMP" "$TMP/nginx" "$TMP/nginx/www"
chmod 644 "$TMP/nginx/www/body.txt"
temp_paths=""
for m in client_body proxy fastcgi uwsgi scgi; do
    if [ "$m" = client_body ] || ! nginx -V 2>&1 | grep -q -- "--without-http_${m}_module"; then
        temp_paths="$temp_paths    ${m}_temp_path $TMP/nginx/tmp/$m;
"
    fi
done
user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user root;"
cat >"$TMP/nginx/nginx.conf" <<EOF
$user_line
worker_processes 1;
daemon off;
master_process on;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
$temp_paths    default_type text/plain;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $TMP/nginx/www;
        location / { }
    }
}
EOF
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" &
NGINX_PID=$!
wait_http "http://127.0.0.1:$NGINX_PORT/body.txt" "$NGINX_PID" nginx
size=$(curl -fsS "http://127.0.0.1:$NGINX_PORT/body.txt" | wc -c)
[ "$size" -eq 300 ] || die "nginx served $size bytes, expected 300"

echo "== nginx static 300-byte body"
res=$(run_wrk nginx "http://127.0.0.1:$NGINX_PORT/body.txt") || exit 1
set -- $res
NGINX_RPS=$1 NGINX_P99=$2
kill -QUIT "$NGINX_PID" 2>/dev/null || true
wait "$NGINX_PID" 2>/dev/null || true
NGINX_PID=""

# ---- gatehouse: signed GetCallerIdentity ----
GH_PORT=$(free_port)
mkdir -p "$TMP/gh"
"$GATEHOUSE" serve --listen "127.0.0.1:$GH_PORT" --data-dir "$TMP/gh/data" >"$TMP/gh/stdout" 2>"$TMP/gh/stderr" &
GH_PID=$!
if ! (wait_http "http://127.0.0.1:$GH_PORT/healthz" "$GH_PID" gatehouse); then
    cat "$TMP/gh/stderr" >&2
    exit 1
fi
"$PYTHON" bench/presign.py "http://127.0.0.1:$GH_PORT" "$TMP/gh/data/credentials" "$TMP/gh/gci.lua" ||
    die "could not pre-sign GetCallerIdentity"

echo "== gatehouse signed STS GetCallerIdentity"
res=$(run_wrk gatehouse "http://127.0.0.1:$GH_PORT/" "$TMP/gh/gci.lua") || exit 1
set -- $res
GH_RPS=$1 GH_P99=$2
kill -TERM "$GH_PID" 2>/dev/null || true
rc=0
wait "$GH_PID" || rc=$?
GH_PID=""
[ "$rc" -eq 0 ] || { cat "$TMP/gh/stderr" >&2; die "gatehouse exited with status $rc on SIGTERM"; }

echo
awk -v nr="$NGINX_RPS" -v np="$NGINX_P99" -v gr="$GH_RPS" -v gp="$GH_P99" 'BEGIN {
    printf "%-40s %14s %10s\n", "", "requests/s", "p99 ms"
    printf "%-40s %14.0f %10.3f\n", "nginx static 300 B (ceiling)", nr, np
    printf "%-40s %14.0f %10.3f\n", "gatehouse GetCallerIdentity (SigV4)", gr, gp
    printf "ratio gatehouse/nginx: throughput %.3f, p99 latency %.3f\n", gr / nr, (np > 0 ? gp / np : 0)
}'

# ---- micro-benchmarks written in C ----
found=0
for b in "$BUILD_DIR"/bench_*; do
    [ -f "$b" ] && [ -x "$b" ] || continue
    found=1
    echo
    echo "== $(basename "$b")"
    "$b" || die "$(basename "$b") failed with status $?"
done
[ "$found" -eq 1 ] || echo "(no $BUILD_DIR/bench_* programs built)"

# ---- STS: AssumeRole and session-signed requests (own nginx anchor) ----
run_sts_bench() {
    echo
    BUILD_DIR=$BUILD_DIR WRK_THREADS=$WRK_THREADS WRK_CONNS=$WRK_CONNS WRK_DURATION=$WRK_DURATION \
        sh bench/sts.sh || die "bench/sts.sh failed"
}
run_sts_bench

# ---- S3: 4 KB GetObject/PutObject against nginx, 1 GB sequential against dd ----
echo; BUILD_DIR=$BUILD_DIR WRK_THREADS=$WRK_THREADS WRK_CONNS=$WRK_CONNS WRK_DURATION=$WRK_DURATION sh bench/s3.sh || die "bench/s3.sh failed"
