// build.mjs: bundles the console with esbuild into OUTDIR (default dist/):
// index.html, assets/main-HASH.js and assets/main-HASH.css. Hashed names
// let the server cache assets for a year; index.html is never cached.
// Usage: node build.mjs [--src DIR] [--outdir DIR] [--node-path DIR]
// (--src: the console/ sources when this script runs from a copy beside
// another node_modules, as scripts/build-console.sh does).
import { build } from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const here = resolve(opt("--src", fileURLToPath(new URL(".", import.meta.url))));
const outdir = resolve(opt("--outdir", join(here, "dist")));
const nodePath = opt("--node-path", null);

rmSync(join(outdir, "assets"), { recursive: true, force: true });
mkdirSync(join(outdir, "assets"), { recursive: true });
const result = await build({
  entryPoints: { main: join(here, "src/main.ts") },
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2020"],
  minify: true,
  sourcemap: false,
  outdir: join(outdir, "assets"),
  splitting: true,
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  nodePaths: nodePath ? [resolve(nodePath)] : [],
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
});

let js = null;
let css = null;
for (const [file, out] of Object.entries(result.metafile.outputs)) {
  if (out.entryPoint && out.entryPoint.endsWith("src/main.ts") && file.endsWith(".js")) js = basename(file);
  if (file.endsWith(".css")) css = basename(file);
}
if (!js) throw new Error("build.mjs: esbuild produced no script");
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gatehouse console</title>
${css ? `<link rel="stylesheet" href="/console/assets/${css}">` : ""}
<script type="module" src="/console/assets/${js}"></script>
</head>
<body>
<div id="app"><noscript>The gatehouse console needs JavaScript.</noscript></div>
</body>
</html>
`;
writeFileSync(join(outdir, "index.html"), html);
console.log(`console: built ${outdir} (${js}${css ? ", " + css : ""})`);
