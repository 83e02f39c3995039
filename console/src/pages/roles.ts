// roles.ts: the roles list and a role's page: permissions, trust
// relationships (edit the trust policy), tags, last used.
import {
  AttachRolePolicyCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  ListRolesCommand,
  Policy,
  Role,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { iam } from "../aws";
import { ago, clear, fmtDate, h } from "../dom";
import { go } from "../nav";
import { attempt, button, listTable, modal, notice, pageHeader, tabs } from "../ui";
import { policyLink, policyPicker, policyType, tagsTab } from "./common";
import { jsonEditor } from "./editor";

export function trustedEntities(doc: string | undefined): string {
  try {
    const d = JSON.parse(decodeURIComponent(doc || ""));
    const out: string[] = [];
    const sts = Array.isArray(d.Statement) ? d.Statement : [d.Statement];
    for (const s of sts) {
      const p = s?.Principal;
      if (!p) continue;
      if (p === "*") out.push("Anyone");
      for (const k of ["Service", "AWS", "Federated"]) {
        const v = p[k];
        if (v) out.push(...(Array.isArray(v) ? v : [v]).map((x: string) => (k === "Service" ? `AWS service: ${x.replace(".amazonaws.com", "")}` : k === "AWS" ? `Account: ${x}` : `Identity provider: ${x}`)));
      }
    }
    return out.join(", ") || "—";
  } catch {
    return "—";
  }
}

export function rolesPage(): HTMLElement {
  return h(
    "div",
    null,
    pageHeader("Roles", h("a", { class: "btn primary", href: "#/roles/new" }, "Create role")),
    listTable<Role>({
      label: "Roles",
      columns: [
        { label: "Role name", value: (r) => r.RoleName || "", render: (r) => h("a", { href: `#/roles/${encodeURIComponent(r.RoleName || "")}` }, r.RoleName || "") },
        { label: "Trusted entities", value: (r) => trustedEntities(r.AssumeRolePolicyDocument) },
        { label: "Last activity", value: (r) => r.RoleLastUsed?.LastUsedDate?.toISOString() || "", render: (r) => ago(r.RoleLastUsed?.LastUsedDate) },
      ],
      fetch: async (marker, max) => {
        const r = await iam().send(new ListRolesCommand({ Marker: marker, MaxItems: max }));
        return { items: r.Roles || [], marker: r.IsTruncated ? r.Marker : undefined };
      },
    }),
  );
}

function permissions(panel: HTMLElement, role: string): void {
  const msg = h("div");
  const slot = h("div");
  panel.append(h("h2", null, "Permissions policies"), msg, slot);
  const load = () =>
    void attempt(slot, async () => {
      const [a, i] = await Promise.all([iam().send(new ListAttachedRolePoliciesCommand({ RoleName: role })), iam().send(new ListRolePoliciesCommand({ RoleName: role }))]);
      const rows = (a.AttachedPolicies || []).map((p) =>
        h("tr", null, h("td", null, policyLink(p.PolicyArn || "", p.PolicyName)), h("td", null, policyType(p.PolicyArn || "")), h("td", null, button("Detach", () => void attempt(msg, async () => { await iam().send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: p.PolicyArn })); load(); }), "link", { "aria-label": `Detach ${p.PolicyName}` }))),
      );
      for (const n of i.PolicyNames || []) rows.push(h("tr", null, h("td", null, n), h("td", null, "Inline"), h("td")));
      slot.append(
        h("table", { class: "list" }, h("thead", null, h("tr", null, h("th", { scope: "col" }, "Policy name"), h("th", { scope: "col" }, "Type"), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Actions")))), h("tbody", null, rows.length ? rows : h("tr", null, h("td", { colspan: "3", class: "empty" }, "No policies attached.")))),
        button("Add permissions", () => {
          let chosen: Policy[] = [];
          const m = h("div");
          modal("Attach policies", h("div", null, policyPicker((p) => (chosen = p)), m), (close) => [
            button("Cancel", close),
            button("Attach policies", () => void attempt(m, async () => { for (const p of chosen) await iam().send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: p.Arn })); close(); load(); }), "primary"),
          ]);
        }, "primary"),
      );
    });
  load();
}

function trust(panel: HTMLElement, role: string): void {
  const slot = h("div");
  panel.append(h("h2", null, "Trust relationships"), slot);
  void attempt(slot, async () => {
    const r = (await iam().send(new GetRoleCommand({ RoleName: role }))).Role;
    const doc = JSON.stringify(JSON.parse(decodeURIComponent(r?.AssumeRolePolicyDocument || "{}")), null, 2);
    const ed = jsonEditor(doc, "Trust policy");
    const msg = h("div");
    slot.append(
      h("p", null, "Trusted entities: ", trustedEntities(r?.AssumeRolePolicyDocument)),
      ed.el,
      msg,
      button("Update policy", () => {
        clear(msg);
        if (!ed.check()) return;
        void attempt(msg, async () => {
          await iam().send(new UpdateAssumeRolePolicyCommand({ RoleName: role, PolicyDocument: ed.value() }));
          msg.appendChild(notice("Trust policy updated."));
        }).then((v) => v === undefined && ed.showServerError(msg.textContent || ""));
      }, "primary"),
    );
  });
}

export function rolePage(name: string, tab?: string): HTMLElement {
  const summary = h("div", { class: "card" });
  const msg = h("div");
  void attempt(summary, async () => {
    const r = (await iam().send(new GetRoleCommand({ RoleName: name }))).Role;
    if (!r) return;
    summary.appendChild(
      h(
        "dl",
        { class: "facts" },
        h("dt", null, "ARN"),
        h("dd", { class: "mono", "data-testid": "role-arn" }, r.Arn || ""),
        h("dt", null, "Description"),
        h("dd", null, r.Description || "—"),
        h("dt", null, "Created"),
        h("dd", null, fmtDate(r.CreateDate)),
        h("dt", null, "Maximum session duration"),
        h("dd", null, `${(r.MaxSessionDuration || 3600) / 3600} hour(s)`),
        h("dt", null, "Last activity"),
        h("dd", null, r.RoleLastUsed?.LastUsedDate ? `${ago(r.RoleLastUsed.LastUsedDate)} in ${r.RoleLastUsed.Region}` : "Never"),
        r.PermissionsBoundary ? [h("dt", null, "Permissions boundary"), h("dd", null, policyLink(r.PermissionsBoundary.PermissionsBoundaryArn || ""))] : null,
      ),
    );
  });
  return h(
    "div",
    null,
    h("p", { class: "crumbs" }, h("a", { href: "#/roles" }, "Roles"), " › ", name),
    pageHeader(
      name,
      button("Delete", () =>
        modal("Delete role?", h("p", null, `Delete ${name}? Its policies must be detached first.`), (close) => [
          button("Cancel", close),
          button("Delete", () => void attempt(msg, async () => { close(); await iam().send(new DeleteRoleCommand({ RoleName: name })); go("/roles"); }), "danger"),
        ]),
      ),
    ),
    msg,
    summary,
    tabs(
      [
        { id: "permissions", label: "Permissions", render: (p) => permissions(p, name) },
        { id: "trust", label: "Trust relationships", render: (p) => trust(p, name) },
        {
          id: "tags",
          label: "Tags",
          render: (p) =>
            tagsTab(
              p,
              async (c) => (await c.send(new ListRoleTagsCommand({ RoleName: name }))).Tags || [],
              async (c, add, remove) => {
                if (remove.length) await c.send(new UntagRoleCommand({ RoleName: name, TagKeys: remove }));
                if (add.length) await c.send(new TagRoleCommand({ RoleName: name, Tags: add }));
              },
            ),
        },
      ],
      tab,
    ),
  );
}
