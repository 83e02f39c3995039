// policies.ts: the managed policies list, creating a policy, and a
// policy's page: a visual summary, the JSON editor (a save is a new
// default version; the server's validation message is shown at its line
// and column), versions, attached entities and the policy simulator.
import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListEntitiesForPolicyCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  Policy,
  PolicyScopeType,
  SetDefaultPolicyVersionCommand,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { awsError, iam } from "../aws";
import { clear, field, fmtDate, h } from "../dom";
import { go } from "../nav";
import { attempt, button, errorBox, listTable, notice, pageHeader, tabs } from "../ui";
import { identity } from "../session";
import { policyType, tagEditor } from "./common";
import { jsonEditor } from "./editor";

const STARTER = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Statement1",
      "Effect": "Allow",
      "Action": [],
      "Resource": []
    }
  ]
}`;

export function policiesPage(): HTMLElement {
  const scope = h("select", { "aria-label": "Filter by type" }, h("option", { value: "All" }, "All types"), h("option", { value: "AWS" }, "AWS managed"), h("option", { value: "Local" }, "Customer managed"));
  const slot = h("div");
  const render = () => {
    clear(slot);
    slot.appendChild(
      listTable<Policy>({
        label: "Policies",
        columns: [
          { label: "Policy name", value: (p) => p.PolicyName || "", render: (p) => h("a", { href: `#/policies/${encodeURIComponent(p.Arn || "")}` }, p.PolicyName || "") },
          { label: "Type", value: (p) => policyType(p.Arn || "") },
          { label: "Attached entities", value: (p) => p.AttachmentCount ?? 0 },
          { label: "Description", value: (p) => p.Description || "" },
        ],
        fetch: async (marker, max) => {
          const r = await iam().send(new ListPoliciesCommand({ Scope: scope.value as PolicyScopeType, Marker: marker, MaxItems: max }));
          return { items: r.Policies || [], marker: r.IsTruncated ? r.Marker : undefined };
        },
      }),
    );
  };
  scope.addEventListener("change", render);
  render();
  return h("div", null, pageHeader("Policies", h("a", { class: "btn primary", href: "#/policies/new" }, "Create policy")), field("Filter by type", scope), slot);
}

interface Row {
  effect: string;
  service: string;
  actions: string[];
  resources: string[];
  conditions: string;
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

// The visual summary: one row per statement and service.
export function summarize(doc: string): Row[] {
  const d = JSON.parse(doc);
  const out: Row[] = [];
  const sts = Array.isArray(d.Statement) ? d.Statement : [d.Statement];
  for (const s of sts) {
    if (!s || typeof s !== "object") continue;
    const actions = s.Action !== undefined ? list(s.Action) : list(s.NotAction).map((a) => `NOT ${a}`);
    const resources = s.Resource !== undefined ? list(s.Resource) : list(s.NotResource).map((r) => `NOT ${r}`);
    const by = new Map<string, string[]>();
    for (const a of actions) {
      const bare = a.replace(/^NOT /, "");
      const svc = bare === "*" ? "All services" : bare.split(":")[0];
      by.set(svc, [...(by.get(svc) || []), a]);
    }
    for (const [service, acts] of by) out.push({ effect: String(s.Effect), service, actions: acts, resources, conditions: s.Condition ? JSON.stringify(s.Condition) : "None" });
  }
  return out;
}

function summaryTable(doc: string): HTMLElement {
  try {
    const rows = summarize(doc);
    return h(
      "table",
      { class: "list summary" },
      h("caption", null, "Policy summary"),
      h("thead", null, h("tr", null, ["Effect", "Service", "Actions", "Resources", "Request conditions"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        null,
        rows.map((r) => h("tr", { class: r.effect === "Deny" ? "deny" : undefined }, h("td", null, r.effect), h("td", null, r.service), h("td", { class: "mono" }, r.actions.join(", ")), h("td", { class: "mono" }, r.resources.join(", ") || "—"), h("td", { class: "mono" }, r.conditions))),
      ),
    );
  } catch {
    return h("p", { class: "muted" }, "The summary needs a valid JSON document.");
  }
}

function pretty(doc: string): string {
  const raw = decodeURIComponent(doc);
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

// Saves through `save`; a refusal is pinned in the editor at its position.
async function saveWith(ed: ReturnType<typeof jsonEditor>, msg: HTMLElement, save: () => Promise<unknown>): Promise<boolean> {
  clear(msg);
  ed.clearMarks();
  try {
    await save();
    return true;
  } catch (e) {
    const err = awsError(e);
    if (err.code === "MalformedPolicyDocument" || err.code === "MalformedPolicyDocumentException" || err.code === "LimitExceeded" || err.code === "LimitExceededException") ed.showServerError(`${err.code}: ${err.message}`);
    else msg.appendChild(errorBox(e));
    return false;
  }
}

export function createPolicyPage(): HTMLElement {
  const name = h("input", { name: "policyName", required: true, maxlength: "128" });
  const desc = h("input", { name: "description", maxlength: "1000" });
  const ed = jsonEditor(STARTER, "Policy document (JSON)");
  const tags = tagEditor();
  const msg = h("div");
  const form = h("form", { class: "card" }, ed.el, field("Policy name", name), field("Description", desc), h("h2", null, "Tags"), tags.el, msg, h("button", { type: "submit", class: "btn primary" }, "Create policy"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void saveWith(ed, msg, async () => {
      const t = tags.tags();
      const out = await iam().send(new CreatePolicyCommand({ PolicyName: name.value.trim(), Description: desc.value || undefined, PolicyDocument: ed.value(), Tags: t.length ? t : undefined }));
      go(`/policies/${encodeURIComponent(out.Policy?.Arn || "")}`);
    });
  });
  return h("div", null, pageHeader("Create policy"), form);
}

function permissionsTab(panel: HTMLElement, arn: string): void {
  const slot = h("div");
  panel.appendChild(slot);
  void attempt(slot, async () => {
    const p = (await iam().send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    const v = await iam().send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: p?.DefaultVersionId }));
    const doc = pretty(v.PolicyVersion?.Document || "{}");
    const summary = h("div", null, summaryTable(doc));
    const ed = jsonEditor(doc, "Policy document (JSON)");
    const msg = h("div");
    const aws = arn.startsWith("arn:aws:iam::aws:");
    slot.append(h("h2", null, "Summary"), summary, h("h2", null, "JSON"), ed.el, msg);
    if (!aws)
      slot.appendChild(
        button("Save changes", () =>
          void saveWith(ed, msg, async () => {
            await iam().send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: ed.value(), SetAsDefault: true }));
            clear(summary);
            summary.appendChild(summaryTable(ed.value()));
            msg.appendChild(notice("Saved as the new default version."));
          }),
        "primary", { "data-testid": "save-policy" }),
      );
  });
}

function versionsTab(panel: HTMLElement, arn: string): void {
  const slot = h("div");
  const msg = h("div");
  panel.append(h("h2", null, "Policy versions"), msg, slot);
  const load = () =>
    void attempt(slot, async () => {
      const r = await iam().send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
      const aws = arn.startsWith("arn:aws:iam::aws:");
      slot.appendChild(
        h(
          "table",
          { class: "list" },
          h("thead", null, h("tr", null, ["Version", "Created", "Default", "Actions"].map((t) => h("th", { scope: "col" }, t)))),
          h(
            "tbody",
            null,
            (r.Versions || []).map((v) =>
              h(
                "tr",
                null,
                h("td", null, v.VersionId || ""),
                h("td", null, fmtDate(v.CreateDate)),
                h("td", null, v.IsDefaultVersion ? "Default" : ""),
                h(
                  "td",
                  null,
                  aws || v.IsDefaultVersion
                    ? null
                    : [
                        button("Set as default", () => void attempt(msg, async () => { await iam().send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: v.VersionId })); load(); }), "link"),
                        button("Delete", () => void attempt(msg, async () => { await iam().send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v.VersionId })); load(); }), "link"),
                      ],
                ),
              ),
            ),
          ),
        ),
      );
    });
  load();
}

function entitiesTab(panel: HTMLElement, arn: string): void {
  void attempt(panel, async () => {
    const r = await iam().send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
    const items = [
      ...(r.PolicyUsers || []).map((u) => h("li", null, "User: ", h("a", { href: `#/users/${encodeURIComponent(u.UserName || "")}` }, u.UserName || ""))),
      ...(r.PolicyGroups || []).map((g) => h("li", null, "Group: ", h("a", { href: `#/groups/${encodeURIComponent(g.GroupName || "")}` }, g.GroupName || ""))),
      ...(r.PolicyRoles || []).map((x) => h("li", null, "Role: ", h("a", { href: `#/roles/${encodeURIComponent(x.RoleName || "")}` }, x.RoleName || ""))),
    ];
    panel.append(h("h2", null, "Entities attached"), items.length ? h("ul", null, items) : h("p", { class: "muted" }, "Not attached to any entity."));
  });
}

// The simulator: SimulatePrincipalPolicy for a user or role; the deciding
// statements are shown with their lines highlighted.
function simulatorTab(panel: HTMLElement, arn: string): void {
  const me = identity();
  const principal = h("input", { placeholder: "arn:aws:iam::123456789012:user/alice", spellcheck: "false", value: me && !me.root ? me.arn : "" });
  const actions = h("input", { placeholder: "s3:GetObject, s3:ListBucket", spellcheck: "false" });
  const resource = h("input", { value: "*", spellcheck: "false" });
  const out = h("div", { "aria-live": "polite" });
  panel.append(
    h("h2", null, "Policy simulator"),
    h("p", { class: "muted" }, "Decides as the server does for the principal's policies (identity-based, boundary) and shows which statement decided."),
    field("User or role ARN", principal),
    field("Actions (comma-separated)", actions),
    field("Resource ARN", resource),
    button("Run simulation", () =>
      void attempt(out, async () => {
        const r = await iam().send(
          new SimulatePrincipalPolicyCommand({
            PolicySourceArn: principal.value.trim(),
            ActionNames: actions.value.split(",").map((a) => a.trim()).filter(Boolean),
            ResourceArns: resource.value.trim() ? [resource.value.trim()] : undefined,
          }),
        );
        // The deciding statements' documents, as stored: positions refer to that text.
        const docs = new Map<string, Promise<string | undefined>>();
        const acct = arn.split(":")[4] || "";
        const docOf = (src: string, type: string): Promise<string | undefined> => {
          const key = `${type}/${src}`;
          if (!docs.has(key)) {
            const parn = type === "aws-managed" ? `arn:aws:iam::aws:policy/${src}` : type === "user-managed" ? (src.startsWith("arn:") ? src : `arn:aws:iam::${acct}:policy/${src}`) : "";
            docs.set(
              key,
              parn
                ? iam()
                    .send(new GetPolicyCommand({ PolicyArn: parn }))
                    .then((p) => iam().send(new GetPolicyVersionCommand({ PolicyArn: parn, VersionId: p.Policy?.DefaultVersionId })))
                    .then((v) => decodeURIComponent(v.PolicyVersion?.Document || ""))
                    .catch(() => undefined)
                : Promise.resolve(undefined),
            );
          }
          return docs.get(key) as Promise<string | undefined>;
        };
        for (const res of r.EvaluationResults || []) {
          const decision = res.EvalDecision || "";
          const card = h("div", { class: `sim ${decision === "allowed" ? "allowed" : "denied"}` }, h("h3", null, `${res.EvalActionName}: ${decision}`), h("p", { class: "mono" }, res.EvalResourceName || ""));
          for (const m of res.MatchedStatements || []) {
            const src = m.SourcePolicyId || "";
            const from = m.StartPosition?.Line || 0;
            const to = m.EndPosition?.Line || from;
            card.appendChild(h("p", null, `Deciding statement in ${src} (${m.SourcePolicyType || "policy"}), lines ${from}–${to}`));
            const doc = await docOf(src, m.SourcePolicyType || "");
            if (doc) card.appendChild(h("pre", { class: "code", "aria-label": `${src} with the deciding statement highlighted` }, doc.split("\n").map((l, i) => h(i + 1 >= from && i + 1 <= to ? "mark" : "span", { class: i + 1 >= from && i + 1 <= to ? "line hl" : "line" }, l || " "))));
          }
          if (!res.MatchedStatements?.length) card.appendChild(h("p", null, "No statement allows it (implicit deny)."));
          if (res.MissingContextValues?.length) card.appendChild(h("p", { class: "hint" }, `Context keys the policies use but the simulation did not set: ${res.MissingContextValues.join(", ")}`));
          out.appendChild(card);
        }
      }),
    "primary"),
    out,
  );
}

export function policyPage(arnEnc: string, tab?: string): HTMLElement {
  const arn = arnEnc;
  const name = arn.split("/").pop() || arn;
  const info = h("div", { class: "card" });
  void attempt(info, async () => {
    const p = (await iam().send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    info.appendChild(h("dl", { class: "facts" }, h("dt", null, "ARN"), h("dd", { class: "mono" }, arn), h("dt", null, "Type"), h("dd", null, policyType(arn)), h("dt", null, "Description"), h("dd", null, p?.Description || "—"), h("dt", null, "Default version"), h("dd", null, p?.DefaultVersionId || "")));
  });
  return h(
    "div",
    null,
    h("p", { class: "crumbs" }, h("a", { href: "#/policies" }, "Policies"), " › ", name),
    h("h1", null, name),
    info,
    tabs(
      [
        { id: "permissions", label: "Permissions", render: (p) => permissionsTab(p, arn) },
        { id: "entities", label: "Entities attached", render: (p) => entitiesTab(p, arn) },
        { id: "versions", label: "Policy versions", render: (p) => versionsTab(p, arn) },
        { id: "simulator", label: "Simulator", render: (p) => simulatorTab(p, arn) },
      ],
      tab,
    ),
  );
}
