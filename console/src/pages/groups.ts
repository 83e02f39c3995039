// groups.ts: the user groups list and a group's page (members, permissions).
import { GetGroupCommand, Group, ListAttachedGroupPoliciesCommand, ListGroupPoliciesCommand, ListGroupsCommand } from "@aws-sdk/client-iam";
import { iam } from "../aws";
import { fmtDate, h } from "../dom";
import { attempt, listTable, pageHeader, tabs } from "../ui";
import { policyLink, policyType } from "./common";

export function groupsPage(): HTMLElement {
  return h(
    "div",
    null,
    pageHeader("User groups"),
    listTable<Group>({
      label: "User groups",
      columns: [
        { label: "Group name", value: (g) => g.GroupName || "", render: (g) => h("a", { href: `#/groups/${encodeURIComponent(g.GroupName || "")}` }, g.GroupName || "") },
        { label: "Path", value: (g) => g.Path || "/" },
        { label: "Created", value: (g) => g.CreateDate?.toISOString() || "", render: (g) => fmtDate(g.CreateDate) },
      ],
      fetch: async (marker, max) => {
        const r = await iam().send(new ListGroupsCommand({ Marker: marker, MaxItems: max }));
        return { items: r.Groups || [], marker: r.IsTruncated ? r.Marker : undefined };
      },
    }),
  );
}

export function groupPage(name: string): HTMLElement {
  return h(
    "div",
    null,
    h("p", { class: "crumbs" }, h("a", { href: "#/groups" }, "User groups"), " › ", name),
    h("h1", null, name),
    tabs([
      {
        id: "users",
        label: "Users",
        render: (p) =>
          void attempt(p, async () => {
            const r = await iam().send(new GetGroupCommand({ GroupName: name }));
            const us = r.Users || [];
            p.appendChild(us.length ? h("ul", null, us.map((u) => h("li", null, h("a", { href: `#/users/${encodeURIComponent(u.UserName || "")}` }, u.UserName || "")))) : h("p", { class: "muted" }, "No users in this group."));
          }),
      },
      {
        id: "permissions",
        label: "Permissions",
        render: (p) =>
          void attempt(p, async () => {
            const [a, i] = await Promise.all([iam().send(new ListAttachedGroupPoliciesCommand({ GroupName: name })), iam().send(new ListGroupPoliciesCommand({ GroupName: name }))]);
            const items = [...(a.AttachedPolicies || []).map((x) => h("li", null, policyLink(x.PolicyArn || "", x.PolicyName), ` (${policyType(x.PolicyArn || "")})`)), ...(i.PolicyNames || []).map((n) => h("li", null, `${n} (inline)`))];
            p.appendChild(items.length ? h("ul", null, items) : h("p", { class: "muted" }, "No policies."));
          }),
      },
    ]),
  );
}
