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
BENCH_NAME=run.sh
. bench/lib.sh
bench_init wrk nginx curl

echo "== machine: $(nproc) cores; wrk -t$WRK_THREADS -c$WRK_CONNS -d$WRK_DURATION"

# ---- nginx: the ceiling ----
mkdir -p "$TMP/nginx/www"
"$PYTHON" -c 'import sys; sys.stdout.write("x" * 299 + "\n")' >"$TMP/nginx/www/body.txt"
chmod 644 "$TMP/nginx/www/body.txt"
nginx_start text/plain body.txt
size=$(curl -fsS "http://127.0.0.1:$NGINX_PORT/body.txt" | wc -c)
[ "$size" -eq 300 ] || die "nginx served $size bytes, expected 300"

echo "== nginx static 300-byte body"
res=$(run_wrk nginx "http://127.0.0.1:$NGINX_PORT/body.txt") || exit 1
set -- $res
NGINX_RPS=$1 NGINX_P99=$2
nginx_stop

# ---- gatehouse: signed GetCallerIdentity ----
gh_start
"$PYTHON" bench/presign.py "$GH_EP" "$TMP/gh/data/credentials" "$TMP/gh/gci.lua" ||
    die "could not pre-sign GetCallerIdentity"

echo "== gatehouse signed STS GetCallerIdentity"
res=$(run_wrk gatehouse "$GH_EP/" "$TMP/gh/gci.lua") || exit 1
set -- $res
GH_RPS=$1 GH_P99=$2
gh_stop

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

# ---- IAM: a warm authorized GetUser, GetCallerIdentity, AssumeRole (nginx, 1 worker/core) ----
echo; BUILD_DIR=$BUILD_DIR WRK_THREADS=$WRK_THREADS WRK_CONNS=$WRK_CONNS WRK_DURATION=$WRK_DURATION sh bench/iam.sh || die "bench/iam.sh failed"

# ---- S3: 4 KB GetObject/PutObject against nginx, 1 GB sequential against dd ----
echo; BUILD_DIR=$BUILD_DIR WRK_THREADS=$WRK_THREADS WRK_CONNS=$WRK_CONNS WRK_DURATION=$WRK_DURATION sh bench/s3.sh || die "bench/s3.sh failed"
