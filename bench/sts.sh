#!/bin/sh
# sts.sh: the STS benchmark. Measures, under the same wrk load and in one
# run: nginx serving a static 300-byte body (the machine's ceiling),
# gatehouse answering GetCallerIdentity signed with a long-term key, the
# same signed with role-session credentials (ASIA key + session token),
# and AssumeRole (pre-signed and replayed, which AWS allows within the
# clock-skew window; each answer mints and seals a new session). Prints
# requests/s, p99 and the ratios, and checks the targets: AssumeRole at
# least 0.5x nginx, session-signed requests at least 0.9x long-term ones
# (STS_BENCH_STRICT=1 makes a missed target fail the run). Both servers
# stay up and the four loads alternate for STS_BENCH_ROUNDS rounds; each
# ratio is taken within a round and the median round is reported, so a
# busy neighbour on a shared machine skews one round, not the figure.
#
# Environment: BUILD_DIR (default build), WRK_THREADS (2), WRK_CONNS (64),
# WRK_DURATION (10s), STS_BENCH_ROUNDS (3), STS_BENCH_STRICT (0).
set -eu

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-64}
WRK_DURATION=${WRK_DURATION:-10s}
STS_BENCH_STRICT=${STS_BENCH_STRICT:-0}
STS_BENCH_ROUNDS=${STS_BENCH_ROUNDS:-3}
GATEHOUSE=$BUILD_DIR/gatehouse
PYTHON=/usr/bin/python3

die() { echo "bench/sts.sh: $*" >&2; exit 1; }

for tool in wrk nginx curl "$PYTHON"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found; run 'scripts/install-deps.sh bench'"
done
[ -x "$GATEHOUSE" ] || die "$GATEHOUSE not found; run 'make' first"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-sts-bench.XXXXXX")
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
        kill -0 "$2" 2>/dev/null || die "$3 exited during start-up"
        sleep 0.1
        i=$((i + 1))
    done
    die "$3 did not answer $1 within 30 s"
}

# run_wrk NAME URL [LUA]: runs wrk and prints "REQ_PER_S P99_MS" on stdout;
# any non-2xx answer fails the run (the numbers would mean nothing).
run_wrk() {
    name=$1 url=$2 script=${3:-}
    out=$TMP/wrk-$name.txt
    : >"$out"
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
cat >"$TMP/nginx/nginx.conf" <<NGINX
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
NGINX
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" &
NGINX_PID=$!
wait_http "http://127.0.0.1:$NGINX_PORT/body.txt" "$NGINX_PID" nginx
size=$(curl -fsS "http://127.0.0.1:$NGINX_PORT/body.txt" | wc -c)
[ "$size" -eq 300 ] || die "nginx served $size bytes, expected 300"

# ---- gatehouse: a user, a role, a session; three pre-signed requests ----
GH_PORT=$(free_port)
EP="http://127.0.0.1:$GH_PORT"
mkdir -p "$TMP/gh"
"$GATEHOUSE" serve --listen "127.0.0.1:$GH_PORT" --data-dir "$TMP/gh/data" >"$TMP/gh/stdout" 2>"$TMP/gh/stderr" &
GH_PID=$!
if ! (wait_http "$EP/healthz" "$GH_PID" gatehouse); then
    cat "$TMP/gh/stderr" >&2
    exit 1
fi
ROLE_ARN=$("$PYTHON" bench/sts_setup.py "$EP" "$TMP/gh/data/credentials" "$TMP/gh/bench-creds") ||
    die "could not create the benchmark's user, role and session"
"$PYTHON" bench/presign.py "$EP" "$TMP/gh/bench-creds" "$TMP/gh/gci.lua" --profile root ||
    die "could not pre-sign GetCallerIdentity (long-term key)"
"$PYTHON" bench/presign.py "$EP" "$TMP/gh/bench-creds" "$TMP/gh/gci-session.lua" --profile session ||
    die "could not pre-sign GetCallerIdentity (session credentials)"
"$PYTHON" bench/presign.py "$EP" "$TMP/gh/bench-creds" "$TMP/gh/assume.lua" --profile user \
    --action AssumeRole --param "RoleArn=$ROLE_ARN" --param RoleSessionName=bench-wrk \
    --expect "<SessionToken>" || die "could not pre-sign AssumeRole"

# ---- the rounds ----
: >"$TMP/rounds"
r=1
while [ "$r" -le "$STS_BENCH_ROUNDS" ]; do
    echo "== round $r/$STS_BENCH_ROUNDS: nginx static 300-byte body" >&2
    res=$(run_wrk nginx "http://127.0.0.1:$NGINX_PORT/body.txt") || exit 1
    echo "== round $r: gatehouse GetCallerIdentity, long-term key (AKIA)" >&2
    res="$res $(run_wrk gci "$EP/" "$TMP/gh/gci.lua")" || exit 1
    echo "== round $r: gatehouse GetCallerIdentity, session credentials (ASIA + token)" >&2
    res="$res $(run_wrk gci-session "$EP/" "$TMP/gh/gci-session.lua")" || exit 1
    echo "== round $r: gatehouse AssumeRole" >&2
    res="$res $(run_wrk assume "$EP/" "$TMP/gh/assume.lua")" || exit 1
    echo "$res" >>"$TMP/rounds"
    r=$((r + 1))
done

kill -TERM "$GH_PID" 2>/dev/null || true
rc=0
wait "$GH_PID" || rc=$?
GH_PID=""
[ "$rc" -eq 0 ] || { cat "$TMP/gh/stderr" >&2; die "gatehouse exited with status $rc on SIGTERM"; }
kill -QUIT "$NGINX_PID" 2>/dev/null || true
wait "$NGINX_PID" 2>/dev/null || true
NGINX_PID=""

# Each line: nginx rps p99, gci rps p99, session rps p99, assume rps p99.
# The reported round is the median by AssumeRole/nginx.
echo
awk -v strict="$STS_BENCH_STRICT" '
{ n++; nr[n] = $1; np[n] = $2; gr[n] = $3; gp[n] = $4; sr[n] = $5; sp[n] = $6; ar[n] = $7; ap[n] = $8
  key[n] = $7 / $1; skey[n] = $5 / $3
  printf "round %d: AssumeRole/nginx %.3f, session/long-term %.3f\n", n, key[n], skey[n] }
function median(a, cnt,    i, j, t, b) {
    for (i = 1; i <= cnt; i++) b[i] = a[i]
    for (i = 2; i <= cnt; i++) for (j = i; j > 1 && b[j - 1] > b[j]; j--) { t = b[j]; b[j] = b[j - 1]; b[j - 1] = t }
    return b[int((cnt + 1) / 2)]
}
function pick(a, v,    i) { for (i = 1; i <= n; i++) if (a[i] == v) return i; return 1 }
END {
    if (n == 0) exit 1
    m = pick(key, median(key, n))
    printf "\n%-46s %12s %9s %10s   (round %d of %d)\n", "", "requests/s", "p99 ms", "x nginx", m, n
    printf "%-46s %12.0f %9.3f %10.3f\n", "nginx static 300 B (ceiling)", nr[m], np[m], 1
    printf "%-46s %12.0f %9.3f %10.3f\n", "GetCallerIdentity, long-term key", gr[m], gp[m], gr[m] / nr[m]
    printf "%-46s %12.0f %9.3f %10.3f\n", "GetCallerIdentity, session credentials", sr[m], sp[m], sr[m] / nr[m]
    printf "%-46s %12.0f %9.3f %10.3f\n", "AssumeRole", ar[m], ap[m], ar[m] / nr[m]
    a = median(key, n); s = median(skey, n); miss = 0
    printf "AssumeRole / nginx (median of rounds): %.3f (target >= 0.5)%s\n", a, (a >= 0.5 ? "" : "  MISSED")
    printf "session-signed / long-term GetCallerIdentity (median of rounds): %.3f (target >= 0.9)%s\n", s,
           (s >= 0.9 ? "" : "  MISSED")
    if (a < 0.5 || s < 0.9) miss = 1
    if (miss && strict == "1") exit 1
}' "$TMP/rounds" || die "a target was missed (STS_BENCH_STRICT=1)"
