#!/bin/sh
# install-deps.sh: installs the Debian packages gatehouse needs to build,
# test and benchmark, asking apt-get only for those that are missing.
# Usage: scripts/install-deps.sh [build|test|bench]   (default: test)
set -eu

build="build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev \
libssl-dev libsqlite3-dev liboath-dev libqrencode-dev libpng-dev libargon2-dev \
libxml2-dev libxmlsec1-dev libcjose-dev libcurl4-openssl-dev zlib1g-dev"
test="$build libcmocka-dev clang libclang-rt-14-dev awscli python3-boto3 \
python3-pytest faketime curl openssl"
bench="$test wrk nginx-light"

case "${1:-test}" in
build) want=$build ;;
test) want=$test ;;
bench) want=$bench ;;
*) echo "install-deps.sh: unknown set '$1'; use build, test or bench" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# The console and the AWS data (aws-data/) builds need npm (and node); the browser tests need chromium.
# They count as present when the command exists (node and npm from
# NodeSource provide them without Debian's npm package).
case "${1:-test}" in
build) cmds="npm" ;;
*) cmds="npm chromium" ;;
esac
for c in $cmds; do
    command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
[ -z "$missing" ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-deps.sh: need root or sudo to install:$missing" >&2
        exit 1
    fi
    sudo=sudo
fi
echo "install-deps.sh: installing$missing" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
