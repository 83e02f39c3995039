// logic.mjs: tests of the console's pure functions (no browser): the trust
// policies the create-role wizard generates, the policy type named in an
// AccessDenied message, the policy summary, JSON error positions, and the
// credential-report findings. The TypeScript is bundled with esbuild first.
// Environment: GH_NODE_MODULES as for run.mjs.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = resolve(process.env.GATEHOUSE_BIN || join(root, "build-test/gatehouse"));
const nodeModules = resolve(process.env.GH_NODE_MODULES || join(dirname(bin), "console-npm/node_modules"));
const { build } = createRequire(join(nodeModules, "x.js"))("esbuild");

const tmp = mkdtempSync(join(tmpdir(), "gh-console-logic-"));
const entry = join(tmp, "entry.ts");
const src = join(root, "console/src");
writeFileSync(
  entry,
  `export { trustPolicy } from ${JSON.stringify(join(src, "pages/wizard"))};
export { deniedBy } from ${JSON.stringify(join(src, "errors"))};
export { summarize } from ${JSON.stringify(join(src, "pages/policies"))};
export { syntaxPosition, elementPosition } from ${JSON.stringify(join(src, "pages/editor"))};
export { findings, parseCsv } from ${JSON.stringify(join(src, "pages/dashboard"))};
`,
);
await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", outfile: join(tmp, "logic.mjs"), nodePaths: [nodeModules], logLevel: "error", loader: { ".css": "empty" } });
const m = await import(pathToFileURL(join(tmp, "logic.mjs")).href);
rmSync(tmp, { recursive: true, force: true });

let failures = 0;
const eq = (got, want, what) => {
  const ok = JSON.stringify(got) === JSON.stringify(want);
  if (!ok) failures++;
  console.log(`  ${ok ? "ok  " : "FAIL"} ${what}${ok ? "" : `\n       got  ${JSON.stringify(got)}\n       want ${JSON.stringify(want)}`}`);
};

console.log("trust policies from the wizard");
const T = (c) => JSON.parse(m.trustPolicy(c, "111122223333")).Statement[0];
eq(T({ type: "service", service: "ec2.amazonaws.com" }), { Effect: "Allow", Principal: { Service: ["ec2.amazonaws.com"] }, Action: ["sts:AssumeRole"] }, "AWS service: EC2");
eq(T({ type: "account", otherAccount: "" }), { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "sts:AssumeRole" }, "AWS account: this one");
eq(T({ type: "account", otherAccount: "444455556666", externalId: "partner-42", requireMfa: true }).Condition, { StringEquals: { "sts:ExternalId": "partner-42" }, Bool: { "aws:MultiFactorAuthPresent": "true" } }, "AWS account: another, ExternalId and MFA");
eq(T({ type: "account", otherAccount: "444455556666" }).Principal, { AWS: "arn:aws:iam::444455556666:root" }, "AWS account: another account's root");
eq(T({ type: "web", provider: "accounts.google.com", audience: "client-1" }), { Effect: "Allow", Principal: { Federated: "accounts.google.com" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "accounts.google.com:aud": "client-1" } } }, "web identity: Google");
eq(T({ type: "web", provider: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", audience: "sts.amazonaws.com" }).Condition, { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } }, "web identity: an OIDC provider ARN keys the audience by its host");
eq(T({ type: "saml", samlProvider: "arn:aws:iam::111122223333:saml-provider/Corp" }).Condition, { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } }, "SAML 2.0");
eq(m.trustPolicy({ type: "custom", custom: '{"x":1}' }, "1"), '{"x":1}', "custom: as typed");

console.log("the policy type in AWS's AccessDenied wording");
eq(m.deniedBy("User: arn:aws:iam::1:user/a is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::1:user/b because no identity-based policy allows the iam:CreateUser action"), "identity-based policy", "no identity-based policy");
eq(m.deniedBy("... with an explicit deny in a permissions boundary"), "permissions boundary", "explicit deny in a permissions boundary");
eq(m.deniedBy("... with an explicit deny in an identity-based policy"), "identity-based policy", "explicit deny in an identity-based policy");
eq(m.deniedBy("... because no session policy allows the s3:GetObject action"), "session policy", "no session policy");
eq(m.deniedBy("... with an explicit deny in a service control policy"), "service control policy", "explicit deny in an SCP");
eq(m.deniedBy("... because no resource-based policy allows the sts:AssumeRole action"), "resource-based policy", "no resource-based policy");
eq(m.deniedBy("Some other message"), undefined, "nothing named");

console.log("policy summary");
eq(m.summarize(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket", "iam:GetUser"], Resource: "*" }, { Effect: "Deny", NotAction: "iam:*", Resource: "arn:aws:s3:::b/*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] })), [
  { effect: "Allow", service: "s3", actions: ["s3:GetObject", "s3:ListBucket"], resources: ["*"], conditions: "None" },
  { effect: "Allow", service: "iam", actions: ["iam:GetUser"], resources: ["*"], conditions: "None" },
  { effect: "Deny", service: "iam", actions: ["NOT iam:*"], resources: ["arn:aws:s3:::b/*"], conditions: '{"Bool":{"aws:SecureTransport":"false"}}' },
], "one row per statement and service; NotAction and conditions shown");

console.log("where the editor pins a message");
eq(m.syntaxPosition('{\n  "a": 1\n  "b": 2\n}'), { line: 3, column: 3 }, "a missing comma: line 3, column 3");
eq(m.syntaxPosition('{"a": 1}'), null, "valid JSON: no position");
eq(m.elementPosition('{\n "Statement": [{\n  "Effect": "Allow",\n  "Action": "s3:x",\n  "Resource": 1}]}', "Policy statement must contain resources."), { line: 5, column: 3 }, "a message about resources points at Resource");

console.log("credential report findings");
const csv = "user,arn,password_enabled,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active\n" +
  "<root_account>,arn:aws:iam::1:root,not_supported,false,true,2026-01-01T00:00:00+00:00,N/A,false\n" +
  "alice,arn:aws:iam::1:user/alice,true,false,true,2026-01-01T00:00:00+00:00,N/A,false\n" +
  "bob,arn:aws:iam::1:user/bob,true,true,false,N/A,N/A,false\n";
const f = m.findings(m.parseCsv(csv), Date.parse("2026-11-25T00:00:00Z"));
eq(f.map((x) => x.level + ":" + x.text.split(" ").slice(0, 3).join(" ")), ["high:The root user", "high:The root user", "medium:User alice has", "medium:User alice's access", "low:User alice's access"], "root keys, root MFA, alice without MFA, alice's old unused key; bob clean");
eq(m.parseCsv('a,b\n"x,""y""",z\n'), [{ a: 'x,"y"', b: "z" }], "CSV quoting");

console.log(failures === 0 ? "logic tests passed" : `${failures} logic check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
