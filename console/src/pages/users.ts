// users.ts: the users list, creating a user (with a console password),
// and a user's page: permissions, groups, tags, security credentials
// (console password, MFA, access keys) and last used.
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DetachUserPolicyCommand,
  EnableMFADeviceCommand,
  GetAccessKeyLastUsedCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
  ListUsersCommand,
  Policy,
  PutUserPolicyCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
  User,
} from "@aws-sdk/client-iam";
import { iam } from "../aws";
import { ago, clear, field, fmtDate, h } from "../dom";
import { go } from "../nav";
import { attempt, button, listTable, modal, pageHeader, tabs } from "../ui";
import { policyLink, policyPicker, policyType, tagEditor, tagsTab } from "./common";

// The statements of AWS's IAMUserChangePassword managed policy.
const CHANGE_PASSWORD_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: ["iam:ChangePassword"], Resource: ["arn:aws:iam::*:user/${aws:username}"] },
    { Effect: "Allow", Action: ["iam:GetAccountPasswordPolicy"], Resource: "*" },
  ],
});

export function usersPage(): HTMLElement {
  return h(
    "div",
    null,
    pageHeader("Users", h("a", { class: "btn primary", href: "#/users/new" }, "Create user")),
    listTable<User>({
      label: "Users",
      columns: [
        { label: "User name", value: (u) => u.UserName || "", render: (u) => h("a", { href: `#/users/${encodeURIComponent(u.UserName || "")}` }, u.UserName || "") },
        { label: "Path", value: (u) => u.Path || "/" },
        { label: "Created", value: (u) => u.CreateDate?.toISOString() || "", render: (u) => fmtDate(u.CreateDate) },
        { label: "Console last sign-in", value: (u) => u.PasswordLastUsed?.toISOString() || "", render: (u) => ago(u.PasswordLastUsed) },
      ],
      fetch: async (marker, max) => {
        const r = await iam().send(new ListUsersCommand({ Marker: marker, MaxItems: max }));
        return { items: r.Users || [], marker: r.IsTruncated ? r.Marker : undefined };
      },
    }),
  );
}

export function createUserPage(): HTMLElement {
  const name = h("input", { name: "userName", required: true, maxlength: "64", spellcheck: "false" });
  const path = h("input", { name: "path", value: "/" });
  const consoleAccess = h("input", { type: "checkbox", id: "console-access" });
  const password = h("input", { type: "password", name: "password", autocomplete: "new-password" });
  const reset = h("input", { type: "checkbox", id: "pw-reset" });
  const pwBox = h("div", { hidden: true }, field("Console password", password), h("div", { class: "field checkbox" }, reset, h("label", { for: "pw-reset" }, "User must create a new password at next sign-in")));
  consoleAccess.addEventListener("change", () => (pwBox.hidden = !consoleAccess.checked));
  let chosen: Policy[] = [];
  const tags = tagEditor();
  const msg = h("div");
  const form = h(
    "form",
    { class: "card" },
    h("h2", null, "User details"),
    field("User name", name, "Up to 64 letters, digits and +=,.@_-"),
    field("Path", path),
    h("div", { class: "field checkbox" }, consoleAccess, h("label", { for: "console-access" }, "Provide user access to the gatehouse console")),
    pwBox,
    h("h2", null, "Permissions policies"),
    policyPicker((p) => (chosen = p)),
    h("h2", null, "Tags"),
    tags.el,
    msg,
    h("button", { type: "submit", class: "btn primary" }, "Create user"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void attempt(msg, async () => {
      const c = iam();
      const t = tags.tags();
      await c.send(new CreateUserCommand({ UserName: name.value.trim(), Path: path.value || "/", Tags: t.length ? t : undefined }));
      if (consoleAccess.checked) await c.send(new CreateLoginProfileCommand({ UserName: name.value.trim(), Password: password.value, PasswordResetRequired: reset.checked }));
      // AWS console: a user who must set a new password gets IAMUserChangePassword;
      // where that AWS managed policy is absent, the same statements inline.
      if (consoleAccess.checked && reset.checked)
        await c.send(new AttachUserPolicyCommand({ UserName: name.value.trim(), PolicyArn: "arn:aws:iam::aws:policy/IAMUserChangePassword" })).catch(() =>
          c.send(new PutUserPolicyCommand({ UserName: name.value.trim(), PolicyName: "IAMUserChangePassword", PolicyDocument: CHANGE_PASSWORD_POLICY })),
        );
      for (const p of chosen) await c.send(new AttachUserPolicyCommand({ UserName: name.value.trim(), PolicyArn: p.Arn }));
      go(`/users/${encodeURIComponent(name.value.trim())}`);
    });
  });
  return h("div", null, pageHeader("Create user"), form);
}

function permissionsTab(panel: HTMLElement, user: string): void {
  const slot = h("div");
  const msg = h("div");
  panel.append(h("h2", null, "Permissions policies"), msg, slot, button("Add permissions", () => attachDialog(user, () => load()), "primary"));
  const load = () =>
    void attempt(slot, async () => {
      const c = iam();
      const [att, inl] = await Promise.all([c.send(new ListAttachedUserPoliciesCommand({ UserName: user })), c.send(new ListUserPoliciesCommand({ UserName: user }))]);
      const rows = (att.AttachedPolicies || []).map((p) =>
        h(
          "tr",
          null,
          h("td", null, policyLink(p.PolicyArn || "", p.PolicyName)),
          h("td", null, policyType(p.PolicyArn || "")),
          h("td", null, button("Detach", () => void attempt(msg, async () => { await iam().send(new DetachUserPolicyCommand({ UserName: user, PolicyArn: p.PolicyArn })); load(); }), "link", { "aria-label": `Detach ${p.PolicyName}` })),
        ),
      );
      for (const n of inl.PolicyNames || []) rows.push(h("tr", null, h("td", null, n), h("td", null, "Inline"), h("td")));
      slot.appendChild(h("table", { class: "list" }, h("thead", null, h("tr", null, h("th", { scope: "col" }, "Policy name"), h("th", { scope: "col" }, "Type"), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Actions")))), h("tbody", null, rows.length ? rows : h("tr", null, h("td", { colspan: "3", class: "empty" }, "No policies attached.")))));
    });
  load();
}

function attachDialog(user: string, done: () => void): void {
  let chosen: Policy[] = [];
  const msg = h("div");
  modal("Add permissions", h("div", null, policyPicker((p) => (chosen = p)), msg), (close) => [
    button("Cancel", close),
    button("Add permissions", () => void attempt(msg, async () => { for (const p of chosen) await iam().send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: p.Arn })); close(); done(); }), "primary"),
  ]);
}

function groupsTab(panel: HTMLElement, user: string): void {
  const slot = h("div");
  panel.append(h("h2", null, "User groups membership"), slot);
  void attempt(slot, async () => {
    const r = await iam().send(new ListGroupsForUserCommand({ UserName: user }));
    const items = r.Groups || [];
    slot.appendChild(items.length ? h("ul", null, items.map((g) => h("li", null, h("a", { href: `#/groups/${encodeURIComponent(g.GroupName || "")}` }, g.GroupName || "")))) : h("p", { class: "muted" }, "Not in any group."));
  });
}

// The file AWS offers: "Access key ID,Secret access key" and one row.
function csvFor(id: string, secret: string): string {
  return `Access key ID,Secret access key\n${id},${secret}\n`;
}

function accessKeysSection(user: string): HTMLElement {
  const slot = h("div");
  const msg = h("div");
  const el = h("section", null, h("h3", null, "Access keys"), msg, slot);
  const load = () =>
    void attempt(slot, async () => {
      const c = iam();
      const r = await c.send(new ListAccessKeysCommand({ UserName: user }));
      const keys = r.AccessKeyMetadata || [];
      const rows = await Promise.all(
        keys.map(async (k) => {
          const lu = await c.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId })).catch(() => undefined);
          const used = lu?.AccessKeyLastUsed;
          const active = k.Status === "Active";
          return h(
            "tr",
            null,
            h("td", { class: "mono" }, k.AccessKeyId || ""),
            h("td", null, k.Status || ""),
            h("td", null, fmtDate(k.CreateDate)),
            h("td", null, used?.LastUsedDate ? `${ago(used.LastUsedDate)} (${used.ServiceName || "?"}, ${used.Region || "?"})` : "Never"),
            h(
              "td",
              null,
              button(active ? "Deactivate" : "Activate", () => void attempt(msg, async () => { await iam().send(new UpdateAccessKeyCommand({ UserName: user, AccessKeyId: k.AccessKeyId, Status: active ? "Inactive" : "Active" })); load(); }), "link", { "aria-label": `${active ? "Deactivate" : "Activate"} ${k.AccessKeyId}` }),
              button("Delete", () => {
                if (active) {
                  clear(msg);
                  msg.appendChild(h("div", { class: "alert error", role: "alert" }, "Deactivate the key before deleting it."));
                  return;
                }
                void attempt(msg, async () => { await iam().send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: k.AccessKeyId })); load(); });
              }, "link", { "aria-label": `Delete ${k.AccessKeyId}` }),
            ),
          );
        }),
      );
      slot.appendChild(h("table", { class: "list" }, h("thead", null, h("tr", null, ["Access key ID", "Status", "Created", "Last used", "Actions"].map((t) => h("th", { scope: "col" }, t)))), h("tbody", null, rows.length ? rows : h("tr", null, h("td", { colspan: "5", class: "empty" }, "No access keys.")))));
      if (keys.length < 2)
        slot.appendChild(
          button("Create access key", () =>
            void attempt(msg, async () => {
              const out = await iam().send(new CreateAccessKeyCommand({ UserName: user }));
              const k = out.AccessKey;
              if (!k) return;
              const csv = csvFor(k.AccessKeyId || "", k.SecretAccessKey || "");
              const url = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
              modal(
                "Access key created",
                h(
                  "div",
                  null,
                  h("p", null, "This is the only time the secret access key can be viewed or downloaded. Store it safely."),
                  h("dl", { class: "facts" }, h("dt", null, "Access key ID"), h("dd", { class: "mono", "data-testid": "new-key-id" }, k.AccessKeyId || ""), h("dt", null, "Secret access key"), h("dd", { class: "mono secret", "data-testid": "new-key-secret" }, k.SecretAccessKey || "")),
                  h("a", { href: url, download: `${user}_accessKeys.csv`, class: "btn secondary" }, "Download .csv file"),
                ),
                (close) => button("Done", () => { URL.revokeObjectURL(url); close(); load(); }, "primary"),
              );
            }),
          "primary"),
        );
    });
  load();
  return el;
}

function mfaSection(user: string): HTMLElement {
  const slot = h("div");
  const msg = h("div");
  const el = h("section", null, h("h3", null, "Multi-factor authentication (MFA)"), msg, slot);
  const load = () =>
    void attempt(slot, async () => {
      const r = await iam().send(new ListMFADevicesCommand({ UserName: user }));
      const devs = r.MFADevices || [];
      slot.appendChild(devs.length ? h("ul", null, devs.map((d) => h("li", { class: "mono" }, `${d.SerialNumber} (enabled ${fmtDate(d.EnableDate)})`))) : h("p", { class: "muted" }, "No MFA device assigned."));
      slot.appendChild(button("Assign MFA device", () => assignMfa(user, load), "primary"));
    });
  load();
  return el;
}

function assignMfa(user: string, done: () => void): void {
  const devName = h("input", { value: user, name: "deviceName" });
  const step1 = h("div", null, field("Device name", devName));
  const msg = h("div");
  const body = h("div", null, step1, msg);
  let serial = "";
  let cont: HTMLButtonElement | null = null;
  const close = modal("Assign a virtual MFA device", body, (closeFn) => [
    button("Cancel", closeFn),
    (cont = button("Continue", () =>
      void attempt(msg, async () => {
        const out = await iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: devName.value.trim() }));
        const dev = out.VirtualMFADevice;
        if (!dev?.SerialNumber) return;
        serial = dev.SerialNumber;
        cont?.remove(); // one device per assignment
        clear(step1);
        const png = dev.QRCodePNG ? btoa(String.fromCharCode(...dev.QRCodePNG)) : "";
        const seed = dev.Base32StringSeed ? new TextDecoder().decode(dev.Base32StringSeed) : "";
        const seedBox = h("code", { class: "mono secret", hidden: true, "data-testid": "mfa-seed" }, seed);
        const c1 = h("input", { inputmode: "numeric", maxlength: "6", name: "code1" });
        const c2 = h("input", { inputmode: "numeric", maxlength: "6", name: "code2" });
        step1.append(
          h("p", null, "Scan the QR code with an authenticator app, or enter the secret key by hand. Then type two consecutive codes."),
          png ? h("img", { src: `data:image/png;base64,${png}`, alt: "QR code for the virtual MFA device", class: "qr", width: "200", height: "200" }) : "",
          h("p", null, button("Show secret key", (ev) => { seedBox.hidden = false; (ev.target as HTMLElement).remove(); }, "link"), seedBox),
          field("MFA code 1", c1),
          field("MFA code 2", c2),
          button("Add MFA", () =>
            void attempt(msg, async () => {
              await iam().send(new EnableMFADeviceCommand({ UserName: user, SerialNumber: serial, AuthenticationCode1: c1.value.trim(), AuthenticationCode2: c2.value.trim() }));
              close();
              done();
            }),
          "primary"),
        );
      }),
    "primary")),
  ]);
}

function consoleSection(user: string): HTMLElement {
  const slot = h("div");
  const msg = h("div");
  const el = h("section", null, h("h3", null, "Console sign-in"), msg, slot);
  const load = () =>
    void attempt(slot, async () => {
      const prof = await iam().send(new GetLoginProfileCommand({ UserName: user })).catch((e) => {
        if ((e as { name?: string }).name === "NoSuchEntityException" || (e as { name?: string }).name === "NoSuchEntity") return undefined;
        throw e;
      });
      if (prof?.LoginProfile) {
        slot.append(h("p", null, `Console password enabled since ${fmtDate(prof.LoginProfile.CreateDate)}${prof.LoginProfile.PasswordResetRequired ? " (reset required)" : ""}.`), button("Disable console access", () => void attempt(msg, async () => { await iam().send(new DeleteLoginProfileCommand({ UserName: user })); load(); })));
      } else {
        const pw = h("input", { type: "password", autocomplete: "new-password" });
        slot.append(h("p", { class: "muted" }, "Console access is disabled."), field("New console password", pw), button("Enable console access", () => void attempt(msg, async () => { await iam().send(new CreateLoginProfileCommand({ UserName: user, Password: pw.value })); load(); }), "primary"));
      }
    });
  load();
  return el;
}

export function userPage(name: string, tab?: string): HTMLElement {
  const summary = h("div", { class: "card" });
  void attempt(summary, async () => {
    const u = (await iam().send(new GetUserCommand({ UserName: name }))).User;
    if (!u) return;
    summary.appendChild(h("dl", { class: "facts" }, h("dt", null, "ARN"), h("dd", { class: "mono" }, u.Arn || ""), h("dt", null, "Created"), h("dd", null, fmtDate(u.CreateDate)), h("dt", null, "Console last sign-in"), h("dd", null, ago(u.PasswordLastUsed)), u.PermissionsBoundary ? [h("dt", null, "Permissions boundary"), h("dd", null, policyLink(u.PermissionsBoundary.PermissionsBoundaryArn || ""))] : null));
  });
  return h(
    "div",
    null,
    h("p", { class: "crumbs" }, h("a", { href: "#/users" }, "Users"), " › ", name),
    h("h1", null, name),
    summary,
    tabs(
      [
        { id: "permissions", label: "Permissions", render: (p) => permissionsTab(p, name) },
        { id: "groups", label: "Groups", render: (p) => groupsTab(p, name) },
        {
          id: "tags",
          label: "Tags",
          render: (p) =>
            tagsTab(
              p,
              async (c) => (await c.send(new ListUserTagsCommand({ UserName: name }))).Tags || [],
              async (c, add, remove) => {
                if (remove.length) await c.send(new UntagUserCommand({ UserName: name, TagKeys: remove }));
                if (add.length) await c.send(new TagUserCommand({ UserName: name, Tags: add }));
              },
            ),
        },
        { id: "security", label: "Security credentials", render: (p) => p.append(consoleSection(name), mfaSection(name), accessKeysSection(name)) },
      ],
      tab,
    ),
  );
}

