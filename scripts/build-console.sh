#!/bin/sh
# build-console.sh: builds the web console bundle into OUT/console (index.html
# and hashed assets) with esbuild, from console/ and its committed lockfile.
# The npm packages go to OUT/console-npm (npm ci), never into the source tree.
# Without npm it says so and leaves the server to run without a console.
# Usage: scripts/build-console.sh OUT     (e.g. build, build-test)
set -eu
out=${1:?usage: scripts/build-console.sh OUT}
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/console
npmdir=$out/console-npm

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "build-console.sh: npm/node not found: the web console is not built (scripts/install-deps.sh build installs them)" >&2
    exit 0
fi
mkdir -p "$npmdir"
# npm ci only when the lockfile changed since the last install.
if ! cmp -s "$src/package-lock.json" "$npmdir/.installed-lock.json" || [ ! -d "$npmdir/node_modules" ]; then
    cp "$src/package.json" "$src/package-lock.json" "$npmdir/"
    (cd "$npmdir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    cp "$src/package-lock.json" "$npmdir/.installed-lock.json"
fi
# Rebuild only when a source is newer than the bundle.
if [ -f "$out/console/index.html" ] &&
    [ -z "$(find "$src/src" "$src/build.mjs" -newer "$out/console/index.html" 2>/dev/null | head -1)" ]; then
    exit 0
fi
cp "$src/build.mjs" "$npmdir/build.mjs"
node "$npmdir/build.mjs" --src "$src" --outdir "$out/console" --node-path "$npmdir/node_modules"
