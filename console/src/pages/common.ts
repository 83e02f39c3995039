// common.ts: pieces several pages share: attached-policy lists with
// attach/detach, tag editors, a managed-policy picker.
import {
  IAMClient,
  ListPoliciesCommand,
  Policy,
  PolicyScopeType,
  Tag,
} from "@aws-sdk/client-iam";
import { iam } from "../aws";
import { clear, field, h } from "../dom";
import { attempt, button, listTable, notice } from "../ui";

export function policyLink(arn: string, name?: string): HTMLAnchorElement {
  return h("a", { href: `#/policies/${encodeURIComponent(arn)}` }, name || arn.split("/").pop() || arn);
}

export function policyType(arn: string): string {
  return arn.startsWith("arn:aws:iam::aws:") ? "AWS managed" : "Customer managed";
}

// Every managed policy of `scope`, over all ListPolicies pages (about 1,600
// are AWS managed): a picker searches them all, as AWS's console does.
export async function allPolicies(scope?: PolicyScopeType): Promise<Policy[]> {
  const out: Policy[] = [];
  let marker: string | undefined;
  do {
    const r = await iam().send(new ListPoliciesCommand({ Scope: scope, Marker: marker, MaxItems: 1000 }));
    out.push(...(r.Policies || []));
    marker = r.IsTruncated ? r.Marker : undefined;
  } while (marker);
  return out;
}

// A managed-policy picker: search, filter by type, select several.
export function policyPicker(onChange: (arns: Policy[]) => void): HTMLElement {
  const scope = h("select", { "aria-label": "Filter by type" }, h("option", { value: "All" }, "All types"), h("option", { value: "AWS" }, "AWS managed"), h("option", { value: "Local" }, "Customer managed"));
  const slot = h("div");
  const render = () => {
    clear(slot);
    slot.appendChild(
      listTable<Policy>({
        label: "Permissions policies",
        selectable: true,
        onSelect: onChange,
        pageSize: 100,
        columns: [
          { label: "Policy name", value: (p) => p.PolicyName || "" },
          { label: "Type", value: (p) => policyType(p.Arn || "") },
          { label: "Attached entities", value: (p) => p.AttachmentCount ?? 0 },
        ],
        // Searched over every policy, so any is found by name.
        all: () => allPolicies(scope.value as PolicyScopeType),
      }),
    );
  };
  scope.addEventListener("change", render);
  render();
  return h("div", { class: "picker" }, field("Filter by type", scope), slot);
}

// Key/value rows for tags (at most 50, as IAM allows).
export function tagEditor(initial: Tag[] = []): { el: HTMLElement; tags: () => Tag[] } {
  const rows = h("div", { class: "tag-rows" });
  const add = (t: Tag = { Key: "", Value: "" }) => {
    const k = h("input", { value: t.Key || "", "aria-label": "Tag key", placeholder: "Key" });
    const v = h("input", { value: t.Value || "", "aria-label": "Tag value", placeholder: "Value (optional)" });
    const row = h("div", { class: "tag-row" }, k, v);
    row.appendChild(button("Remove", () => row.remove(), "link", { "aria-label": "Remove tag" }));
    rows.appendChild(row);
  };
  initial.forEach((t) => add(t));
  const el = h("div", { class: "tags-editor" }, rows, button("Add new tag", () => add(), "secondary"));
  const tags = () =>
    [...rows.querySelectorAll(".tag-row")]
      .map((r) => {
        const [k, v] = r.querySelectorAll("input");
        return { Key: k.value.trim(), Value: v.value };
      })
      .filter((t) => t.Key);
  return { el, tags };
}

// The tags tab of an entity: list, edit, save (tag + untag).
export function tagsTab(
  panel: HTMLElement,
  load: (c: IAMClient) => Promise<Tag[]>,
  save: (c: IAMClient, add: Tag[], remove: string[]) => Promise<unknown>,
): void {
  const slot = h("div");
  panel.appendChild(slot);
  void attempt(slot, async () => {
    const current = await load(iam());
    const ed = tagEditor(current);
    const msg = h("div");
    slot.append(
      h("h2", null, "Tags"),
      ed.el,
      msg,
      button(
        "Save changes",
        () =>
          void attempt(msg, async () => {
            const next = ed.tags();
            const removed = current.map((t) => t.Key || "").filter((k) => !next.some((t) => t.Key === k));
            await save(iam(), next, removed);
            msg.appendChild(notice("Tags saved."));
          }),
        "primary",
      ),
    );
  });
}
