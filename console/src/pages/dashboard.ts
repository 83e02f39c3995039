// dashboard.ts: account id and alias, resource counts from
// GetAccountSummary, security findings from the credential report.
import {
  GenerateCredentialReportCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  ListAccountAliasesCommand,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { iam, sts } from "../aws";
import { h } from "../dom";
import { accountId } from "../session";
import { errorBox } from "../ui";

interface Finding {
  level: "high" | "medium" | "low";
  text: string;
  href?: string;
}

// RFC 4180 CSV as the credential report is written (no embedded newlines in practice).
export function parseCsv(text: string): Array<Record<string, string>> {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length === 0) return [];
  const split = (l: string) => {
    const out: string[] = [];
    let cur = "";
    let q = false;
    for (let i = 0; i < l.length; i++) {
      const ch = l[i];
      if (q) {
        if (ch === '"' && l[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (ch === '"') q = false;
        else cur += ch;
      } else if (ch === '"') q = true;
      else if (ch === ",") {
        out.push(cur);
        cur = "";
      } else cur += ch;
    }
    out.push(cur);
    return out;
  };
  const head = split(lines[0]);
  return lines.slice(1).map((l) => {
    const cells = split(l);
    const row: Record<string, string> = {};
    head.forEach((k, i) => (row[k] = cells[i] ?? ""));
    return row;
  });
}

export function findings(rows: Array<Record<string, string>>, now = Date.now()): Finding[] {
  const out: Finding[] = [];
  const days = (s: string) => (s && s !== "N/A" && s !== "not_supported" && s !== "no_information" ? (now - Date.parse(s)) / 86400e3 : NaN);
  for (const r of rows) {
    const user = r.user;
    const isRoot = user === "<root_account>";
    const href = isRoot ? undefined : `#/users/${encodeURIComponent(user)}?tab=security`;
    if (isRoot && (r.access_key_1_active === "true" || r.access_key_2_active === "true"))
      out.push({ level: "high", text: "The root user has active access keys. Use IAM users or roles instead." });
    if (isRoot && r.mfa_active !== "true") out.push({ level: "high", text: "The root user has no MFA device." });
    if (!isRoot && r.password_enabled === "true" && r.mfa_active !== "true")
      out.push({ level: "medium", text: `User ${user} has a console password but no MFA device.`, href });
    for (const k of ["1", "2"]) {
      if (!isRoot && r[`access_key_${k}_active`] === "true") {
        const age = days(r[`access_key_${k}_last_rotated`]);
        if (age > 90) out.push({ level: "medium", text: `User ${user}'s access key ${k} is ${Math.floor(age)} days old; rotate it.`, href });
        const used = days(r[`access_key_${k}_last_used_date`]);
        if (!(used <= 90) && age > 90) out.push({ level: "low", text: `User ${user}'s access key ${k} has not been used for 90 days.`, href });
      }
    }
  }
  return out;
}

async function report(): Promise<Array<Record<string, string>>> {
  for (let i = 0; i < 5; i++) {
    const g = await iam().send(new GenerateCredentialReportCommand({}));
    if (g.State === "COMPLETE") break;
    await new Promise((r) => setTimeout(r, 300));
  }
  const rep = await iam().send(new GetCredentialReportCommand({}));
  const text = rep.Content ? new TextDecoder().decode(rep.Content) : "";
  return parseCsv(text);
}

const LABELS: Array<[string, string]> = [
  ["Users", "Users"],
  ["Groups", "User groups"],
  ["Roles", "Roles"],
  ["Policies", "Customer managed policies"],
  ["MFADevices", "MFA devices"],
  ["MFADevicesInUse", "MFA devices in use"],
  ["AccountAccessKeysPresent", "Root access keys"],
  ["AccountMFAEnabled", "Root MFA"],
];

export function dashboardPage(): HTMLElement {
  const ident = h("dl", { class: "facts" });
  const counts = h("div", { class: "cards", "aria-live": "polite" });
  const sec = h("div", { "aria-live": "polite" }, h("p", { class: "muted" }, "Reading the credential report…"));
  const page = h(
    "div",
    null,
    h("h1", null, "IAM dashboard"),
    h("section", { class: "card" }, h("h2", null, "AWS account"), ident),
    h("section", null, h("h2", null, "IAM resources"), counts),
    h("section", { class: "card" }, h("h2", null, "Security recommendations"), sec),
  );
  const acct = accountId();
  ident.append(h("dt", null, "Account ID"), h("dd", { "data-testid": "account-id" }, acct));
  void iam()
    .send(new ListAccountAliasesCommand({}))
    .then((r) => ident.append(h("dt", null, "Account alias"), h("dd", null, r.AccountAliases?.[0] || "None")))
    .catch(() => ident.append(h("dt", null, "Account alias"), h("dd", null, "—")));
  void sts()
    .send(new GetCallerIdentityCommand({}))
    .then((r) => ident.append(h("dt", null, "Signed in as"), h("dd", { class: "mono" }, r.Arn || "")))
    .catch((e) => ident.append(h("dd", null, errorBox(e))));
  void iam()
    .send(new GetAccountSummaryCommand({}))
    .then((r) => {
      const m = (r.SummaryMap || {}) as Record<string, number | undefined>;
      for (const [key, label] of LABELS) {
        if (m[key] === undefined) continue;
        const href = ({ Users: "#/users", Groups: "#/groups", Roles: "#/roles", Policies: "#/policies" } as Record<string, string>)[key];
        const body = [h("span", { class: "count" }, String(m[key])), h("span", { class: "label" }, label)];
        counts.appendChild(href ? h("a", { class: "stat", href }, ...body) : h("div", { class: "stat" }, ...body));
      }
    })
    .catch((e) => counts.appendChild(errorBox(e)));
  void report()
    .then((rows) => {
      sec.textContent = "";
      const list = findings(rows);
      if (list.length === 0) sec.appendChild(h("p", { class: "ok" }, "No findings: every credential follows the recommendations checked here."));
      else
        sec.appendChild(
          h(
            "ul",
            { class: "findings" },
            list.map((f) => h("li", { class: `finding ${f.level}` }, h("span", { class: "level" }, f.level), " ", f.href ? h("a", { href: f.href }, f.text) : f.text)),
          ),
        );
    })
    .catch((e) => {
      sec.textContent = "";
      sec.appendChild(errorBox(e));
    });
  return page;
}
