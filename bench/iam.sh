#!/bin/sh
# iam.sh: the warm-authorization benchmark. Measures, under the same wrk
# load and in one run: nginx serving a static 300-byte body with one worker
# per core (the machine's ceiling), and gatehouse answering, for user
# bench-reader (10 managed policies including ReadOnlyAccess, 2 groups with
# policies, a permissions boundary, tags): iam:GetUser (an authorized IAM
# read: the policy decision over all of that, from the principal snapshot),
# a signed sts:GetCallerIdentity, and sts:AssumeRole (pre-signed and
# replayed, which AWS allows within the clock-skew window). Prints
# requests/s, p99 and the ratios, and checks the targets: GetUser >= 0.6x
# nginx, GetCallerIdentity >= 0.9x nginx with p99 <= 1.5x nginx's,
# AssumeRole >= 0.6x (IAM_BENCH_STRICT=1 makes a missed target fail the
# run). The loads alternate for IAM_BENCH_ROUNDS rounds; each ratio is
# taken within a round and the median round (by GetUser/nginx) is reported.
#
# Environment: BUILD_DIR (default build), WRK_THREADS (2), WRK_CONNS (64),
# WRK_DURATION (10s), IAM_BENCH_ROUNDS (3), IAM_BENCH_STRICT (0).
set -eu

cd "$(dirname "$0")/.."
IAM_BENCH_STRICT=${IAM_BENCH_STRICT:-0}
IAM_BENCH_ROUNDS=${IAM_BENCH_ROUNDS:-3}
BENCH_NAME=iam.sh
. bench/lib.sh
bench_init wrk nginx curl

NGINX_WORKERS=$(nproc)
echo "== machine: $(nproc) cores; nginx $NGINX_WORKERS workers; wrk -t$WRK_THREADS -c$WRK_CONNS -d$WRK_DURATION"

# ---- nginx: the ceiling ----
mkdir -p "$TMP/nginx/www"
"$PYTHON" -c 'import sys; sys.stdout.write("x" * 299 + "\n")' >"$TMP/nginx/www/body.txt"
chmod 644 "$TMP/nginx/www/body.txt"
nginx_start text/plain body.txt
size=$(curl -fsS "http://127.0.0.1:$NGINX_PORT/body.txt" | wc -c)
[ "$size" -eq 300 ] || die "nginx served $size bytes, expected 300"

# ---- gatehouse: the reader, its role; three pre-signed requests ----
gh_start
EP=$GH_EP
ROLE_ARN=$("$PYTHON" bench/iam_setup.py "$EP" "$TMP/gh/data/credentials" "$TMP/gh/bench-creds") ||
    die "could not create the benchmark's user, groups, policies and role"
"$PYTHON" bench/presign.py "$EP" "$TMP/gh/bench-creds" "$TMP/gh/getuser.lua" --profile reader \
    --service iam --action GetUser --expect "<UserName>bench-reader</UserName>" ||
    die "could not pre-sign GetUser"
"$PYTHON" bench/presign.py "$EP" "$TMP/gh/bench-creds" "$TMP/gh/gci.lua" --profile reader ||
    die "could not pre-sign GetCallerIdentity"
"$PYTHON" bench/presign.py "$EP" "$TMP/gh/bench-creds" "$TMP/gh/assume.lua" --profile reader \
    --action AssumeRole --param "RoleArn=$ROLE_ARN" --param RoleSessionName=bench-wrk \
    --expect "<SessionToken>" || die "could not pre-sign AssumeRole"

# ---- the rounds ----
: >"$TMP/rounds"
r=1
while [ "$r" -le "$IAM_BENCH_ROUNDS" ]; do
    echo "== round $r/$IAM_BENCH_ROUNDS: nginx static 300-byte body" >&2
    res=$(run_wrk nginx "http://127.0.0.1:$NGINX_PORT/body.txt") || exit 1
    echo "== round $r: gatehouse iam:GetUser (warm, 10 managed + 2 groups + boundary)" >&2
    res="$res $(run_wrk getuser "$EP/" "$TMP/gh/getuser.lua")" || exit 1
    echo "== round $r: gatehouse GetCallerIdentity (SigV4)" >&2
    res="$res $(run_wrk gci "$EP/" "$TMP/gh/gci.lua")" || exit 1
    echo "== round $r: gatehouse AssumeRole" >&2
    res="$res $(run_wrk assume "$EP/" "$TMP/gh/assume.lua")" || exit 1
    echo "$res" >>"$TMP/rounds"
    r=$((r + 1))
done

gh_stop
nginx_stop

# Each line: nginx rps p99, getuser rps p99, gci rps p99, assume rps p99.
echo
awk -v strict="$IAM_BENCH_STRICT" '
{ n++; nr[n] = $1; np[n] = $2; ur[n] = $3; up[n] = $4; gr[n] = $5; gp[n] = $6; ar[n] = $7; ap[n] = $8
  key[n] = $3 / $1
  printf "round %d: GetUser/nginx %.3f, GetCallerIdentity/nginx %.3f, AssumeRole/nginx %.3f\n", n, $3 / $1, $5 / $1, $7 / $1 }
function median(a, cnt,    i, j, t, b) {
    for (i = 1; i <= cnt; i++) b[i] = a[i]
    for (i = 2; i <= cnt; i++) for (j = i; j > 1 && b[j - 1] > b[j]; j--) { t = b[j]; b[j] = b[j - 1]; b[j - 1] = t }
    return b[int((cnt + 1) / 2)]
}
function pick(a, v,    i) { for (i = 1; i <= n; i++) if (a[i] == v) return i; return 1 }
END {
    if (n == 0) exit 1
    m = pick(key, median(key, n))
    printf "\n%-48s %12s %9s %10s   (round %d of %d)\n", "", "requests/s", "p99 ms", "x nginx", m, n
    printf "%-48s %12.0f %9.3f %10.3f\n", "nginx static 300 B, 1 worker/core (ceiling)", nr[m], np[m], 1
    printf "%-48s %12.0f %9.3f %10.3f\n", "iam:GetUser, warm (10 managed, 2 groups, boundary)", ur[m], up[m], ur[m] / nr[m]
    printf "%-48s %12.0f %9.3f %10.3f\n", "GetCallerIdentity (SigV4)", gr[m], gp[m], gr[m] / nr[m]
    printf "%-48s %12.0f %9.3f %10.3f\n", "AssumeRole", ar[m], ap[m], ar[m] / nr[m]
    u = ur[m] / nr[m]; g = gr[m] / nr[m]; gl = (np[m] > 0 ? gp[m] / np[m] : 0); a = ar[m] / nr[m]
    printf "GetUser / nginx: %.3f (target >= 0.6)%s\n", u, (u >= 0.6 ? "" : "  MISSED")
    printf "GetCallerIdentity / nginx: %.3f (target >= 0.9)%s, p99 %.3f x nginx (target <= 1.5)%s\n", g,
           (g >= 0.9 ? "" : "  MISSED"), gl, (gl <= 1.5 ? "" : "  MISSED")
    printf "AssumeRole / nginx: %.3f (target >= 0.6)%s\n", a, (a >= 0.6 ? "" : "  MISSED")
    if ((u < 0.6 || g < 0.9 || gl > 1.5 || a < 0.6) && strict == "1") exit 1
}' "$TMP/rounds" || die "a target was missed (IAM_BENCH_STRICT=1)"
