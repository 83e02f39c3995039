#!/bin/sh
# s3.sh: the S3 benchmark. In one run: nginx serving a static 4 KB file
# (the machine's ceiling) and gatehouse answering GetObject and PutObject
# of a 4 KB object through presigned URLs replayed by wrk (a PUT writes,
# fsyncs and commits a new object every time), as ratios to nginx; then
# sequential throughput of one S3_BENCH_BIG_MB object (1024 MB) put and
# got with curl through presigned URLs, as ratios to dd writing (with
# fsync) and reading the same bytes on the same disk (nginx serving that
# file to curl is shown too: the loopback and curl's own cost). Reads of
# a file just written come from the page cache, for dd as for gatehouse.
# Prints the figures.
#
# Environment: BUILD_DIR (default build), WRK_THREADS (2), WRK_CONNS (64),
# WRK_DURATION (10s), S3_BENCH_BIG_MB (1024; 0 skips the big object),
# S3_BENCH_MEM_MB (5120: the server's peak RSS across a PUT+GET of that
# many MB; 0 skips it).
set -eu

cd "$(dirname "$0")/.."
S3_BENCH_BIG_MB=${S3_BENCH_BIG_MB:-1024}
S3_BENCH_MEM_MB=${S3_BENCH_MEM_MB:-5120}
BENCH_NAME=s3.sh
. bench/lib.sh
bench_init wrk nginx curl dd

# now: seconds since the epoch with nanoseconds.
now() { date +%s.%N; }

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$WRK_THREADS -c$WRK_CONNS -d$WRK_DURATION"

# ---- nginx: a static 4 KB file ----
mkdir -p "$TMP/nginx/www"
head -c 4096 /dev/urandom >"$TMP/obj4k.bin"
cp "$TMP/obj4k.bin" "$TMP/nginx/www/obj4k.bin"
chmod 644 "$TMP/nginx/www/obj4k.bin"
nginx_start application/octet-stream obj4k.bin

# ---- gatehouse: a bucket, the 4 KB object, presigned URLs ----
gh_start
"$PYTHON" - "http://127.0.0.1:$GH_PORT" "$TMP" <<'EOF' || die "could not set up the bucket and presign"
import configparser, sys
import boto3, botocore.config
endpoint, tmp = sys.argv[1], sys.argv[2]
cp = configparser.ConfigParser()
cp.read(f"{tmp}/gh/data/credentials")
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=cp["default"]["aws_access_key_id"],
                  aws_secret_access_key=cp["default"]["aws_secret_access_key"],
                  config=botocore.config.Config(signature_version="s3v4"))
s3.create_bucket(Bucket="bench")
body = open(f"{tmp}/obj4k.bin", "rb").read()
s3.put_object(Bucket="bench", Key="obj4k.bin", Body=body)
assert s3.get_object(Bucket="bench", Key="obj4k.bin")["Body"].read() == body
urls = {
    "get4k": s3.generate_presigned_url("get_object", Params={"Bucket": "bench", "Key": "obj4k.bin"}, ExpiresIn=3600),
    "put4k": s3.generate_presigned_url("put_object", Params={"Bucket": "bench", "Key": "put4k.bin"}, ExpiresIn=3600),
    "getput4k": s3.generate_presigned_url("get_object", Params={"Bucket": "bench", "Key": "put4k.bin"}, ExpiresIn=3600),
    "getbig": s3.generate_presigned_url("get_object", Params={"Bucket": "bench", "Key": "big.bin"}, ExpiresIn=3600),
    "putbig": s3.generate_presigned_url("put_object", Params={"Bucket": "bench", "Key": "big.bin"}, ExpiresIn=3600),
}
for op in ("put_object", "get_object", "delete_object"):  # the memory section's object
    urls[f"mem-{op}"] = s3.generate_presigned_url(op, Params={"Bucket": "bench", "Key": "mem.bin"}, ExpiresIn=3600)
for k, v in urls.items():
    open(f"{tmp}/{k}.url", "w").write(v)
# wrk replays one PUT with a fixed 4 KB body (the presigned URL signs no payload).
lua = "".join("\\%03d" % b for b in body)
open(f"{tmp}/put4k.lua", "w").write(
    'wrk.method = "PUT"\nwrk.body = "%s"\nwrk.headers["Content-Type"] = "application/octet-stream"\n' % lua)
EOF
GET_URL=$(cat "$TMP/get4k.url")
PUT_URL=$(cat "$TMP/put4k.url")
curl -fsS -o "$TMP/check.bin" "$GET_URL" || die "presigned GET failed"
cmp -s "$TMP/obj4k.bin" "$TMP/check.bin" || die "presigned GET returned other bytes"

echo "== nginx static 4 KB file"
res=$(run_wrk nginx "http://127.0.0.1:$NGINX_PORT/obj4k.bin") || exit 1
set -- $res
NGINX_RPS=$1 NGINX_P99=$2
echo "== gatehouse GetObject 4 KB (presigned)"
res=$(run_wrk get4k "$GET_URL") || exit 1
set -- $res
GET_RPS=$1 GET_P99=$2
echo "== gatehouse PutObject 4 KB (presigned, fixed body)"
res=$(run_wrk put4k "$PUT_URL" "$TMP/put4k.lua") || exit 1
set -- $res
PUT_RPS=$1 PUT_P99=$2
curl -fsS -o "$TMP/check.bin" "$(cat "$TMP/getput4k.url")" || die "the object PUT under load is missing"
cmp -s "$TMP/obj4k.bin" "$TMP/check.bin" || die "the object PUT under load has other bytes"

echo
awk -v nr="$NGINX_RPS" -v np="$NGINX_P99" -v gr="$GET_RPS" -v gp="$GET_P99" -v pr="$PUT_RPS" -v pp="$PUT_P99" 'BEGIN {
    printf "%-40s %14s %10s %10s\n", "", "requests/s", "p99 ms", "x nginx"
    printf "%-40s %14.0f %10.3f %10.3f\n", "nginx static 4 KB (ceiling)", nr, np, 1
    printf "%-40s %14.0f %10.3f %10.3f\n", "gatehouse GetObject 4 KB (presigned)", gr, gp, gr / nr
    printf "%-40s %14.0f %10.3f %10.3f\n", "gatehouse PutObject 4 KB (presigned)", pr, pp, pr / nr
}'

# ---- sequential throughput of one big object against dd ----
if [ "$S3_BENCH_BIG_MB" -gt 0 ]; then
    MB=$S3_BENCH_BIG_MB
    echo
    echo "== sequential $MB MB: gatehouse (curl, presigned) against dd on the same disk"
    head -c $((MB * 1024 * 1024)) /dev/urandom >"$TMP/src.bin"
    # dd: write with fsync (as gatehouse makes a PUT durable), then read back.
    t0=$(now)
    dd if="$TMP/src.bin" of="$TMP/dd.bin" bs=1M conv=fsync status=none
    t1=$(now)
    dd if="$TMP/dd.bin" of=/dev/null bs=1M status=none
    t2=$(now)
    rm -f "$TMP/dd.bin"
    t3=$(now)
    curl -fsS -o /dev/null -T "$TMP/src.bin" "$(cat "$TMP/putbig.url")" || die "presigned PUT of $MB MB failed"
    t4=$(now)
    curl -fsS -o "$TMP/got.bin" "$(cat "$TMP/getbig.url")" || die "presigned GET of $MB MB failed"
    t5=$(now)
    cmp -s "$TMP/src.bin" "$TMP/got.bin" || die "the $MB MB object read back differs"
    rm -f "$TMP/got.bin"
    t6=$(now)
    curl -fsS -o /dev/null "$(cat "$TMP/getbig.url")" || die "presigned GET of $MB MB failed"
    t7=$(now)
    ln "$TMP/src.bin" "$TMP/nginx/www/big.bin"
    t8=$(now)
    curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/big.bin" || die "nginx GET of $MB MB failed"
    t9=$(now)
    awk -v mb="$MB" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v t4="$t4" -v t6="$t6" -v t7="$t7" -v t8="$t8" -v t9="$t9" 'BEGIN {
        dw = mb / (t1 - t0); dr = mb / (t2 - t1); gw = mb / (t4 - t3); gr = mb / (t7 - t6)
        nr = mb / (t9 - t8)
        printf "%-40s %14s %10s\n", "", "MB/s", "x dd"
        printf "%-40s %14.1f %10.3f\n", "dd write (conv=fsync)", dw, 1
        printf "%-40s %14.1f %10.3f\n", "gatehouse PutObject (curl -T)", gw, gw / dw
        printf "%-40s %14.1f %10.3f\n", "dd read", dr, 1
        printf "%-40s %14.1f %10.3f\n", "gatehouse GetObject (curl)", gr, gr / dr
        printf "%-40s %14.1f %10.3f\n", "nginx GET of the same file (curl)", nr, nr / dr
    }'
fi

# ---- memory: the server's peak RSS across one S3_BENCH_MEM_MB object ----
# (section owned by the S3 memory check; the start-up above is shared)
# A sparse source file (no disk for it), put and got with curl through
# presigned URLs; VmHWM of the server before and after says whether the
# object was streamed or held in memory. The object is deleted after.
if [ "$S3_BENCH_MEM_MB" -gt 0 ]; then
    echo
    echo "== memory: $S3_BENCH_MEM_MB MB PUT+GET, the server's peak RSS (VmHWM)"
    hwm() { awk '$1 == "VmHWM:" { print $2 }' "/proc/$GH_PID/status"; }
    truncate -s "$((S3_BENCH_MEM_MB * 1024 * 1024))" "$TMP/mem.bin"
    hwm0=$(hwm)
    curl -fsS -o /dev/null -T "$TMP/mem.bin" "$(cat "$TMP/mem-put_object.url")" ||
        die "presigned PUT of $S3_BENCH_MEM_MB MB failed"
    got=$(curl -fsS -o /dev/null -w '%{size_download}' "$(cat "$TMP/mem-get_object.url")") ||
        die "presigned GET of $S3_BENCH_MEM_MB MB failed"
    [ "$got" -eq "$((S3_BENCH_MEM_MB * 1024 * 1024))" ] || die "GET returned $got bytes"
    hwm1=$(hwm)
    curl -fsS -o /dev/null -X DELETE "$(cat "$TMP/mem-delete_object.url")" || die "DELETE failed"
    rm -f "$TMP/mem.bin"
    awk -v mb="$S3_BENCH_MEM_MB" -v a="$hwm0" -v b="$hwm1" 'BEGIN {
        printf "%d MB PUT+GET: server peak RSS +%.1f MiB (VmHWM %.1f -> %.1f MiB)\n",
            mb, (b - a) / 1024, a / 1024, b / 1024
    }'
fi

nginx_stop
gh_stop
