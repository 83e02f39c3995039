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
STS_BENCH_STRICT=${STS_BENCH_STRICT:-0}
STS_BENCH_ROUNDS=${STS_BENCH_ROUNDS:-3}
BENCH_NAME=sts.sh
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

# ---- gatehouse: a user, a role, a session; three pre-signed requests ----
gh_start
EP=$GH_EP
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

gh_stop
nginx_stop

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
