// signin.ts: the sign-in form (account id or alias, user name or root,
// password, MFA code when asked) and the change-password page.
import { ChangePasswordCommand, GetAccountPasswordPolicyCommand } from "@aws-sdk/client-iam";
import { iam } from "../aws";
import { clear, field, h } from "../dom";
import * as session from "../session";
import { attempt, errorBox, notice } from "../ui";

export function signInPage(): HTMLElement {
  const account = h("input", { name: "account", autocomplete: "username", required: true, spellcheck: "false" });
  const rootBox = h("input", { type: "checkbox", name: "root" });
  const user = h("input", { name: "username", autocomplete: "username", spellcheck: "false" });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const mfa = h("input", { name: "mfaCode", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: "6" });
  const mfaField = field("MFA code", mfa, "The 6-digit code from your authenticator app.");
  mfaField.hidden = true;
  const userField = field("IAM user name", user);
  rootBox.addEventListener("change", () => {
    userField.hidden = rootBox.checked;
  });
  const msg = h("div", { "aria-live": "assertive" });
  const submit = h("button", { type: "submit", class: "btn primary" }, "Sign in");
  const form = h(
    "form",
    { class: "signin card", novalidate: true },
    h("h1", null, "Sign in to gatehouse"),
    field("Account ID (12 digits) or alias", account),
    h("div", { class: "field checkbox" }, rootBox, h("label", { for: (rootBox.id = "root-user") }, "Sign in as the root user")),
    userField,
    field("Password", password),
    mfaField,
    msg,
    submit,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clear(msg);
    submit.disabled = true;
    try {
      await session.signIn(account.value.trim(), rootBox.checked ? "" : user.value.trim(), password.value, mfa.value.trim());
      password.value = "";
    } catch (e) {
      const err = e as session.SignInError;
      if (err.code === "MFARequired") {
        mfaField.hidden = false;
        msg.appendChild(notice(err.message, "info"));
        mfa.focus();
      } else {
        msg.appendChild(h("div", { class: "alert error", role: "alert" }, err.message));
        mfa.value = "";
      }
    } finally {
      submit.disabled = false;
    }
  });
  queueMicrotask(() => account.focus());
  return h("main", { class: "signin-wrap" }, form);
}

export function changePasswordPage(required: boolean): HTMLElement {
  const oldPw = h("input", { type: "password", autocomplete: "current-password" });
  const newPw = h("input", { type: "password", autocomplete: "new-password" });
  const again = h("input", { type: "password", autocomplete: "new-password" });
  const policy = h("div", { class: "hint" });
  const msg = h("div", { "aria-live": "polite" });
  const form = h(
    "form",
    { class: "card narrow" },
    h("h1", null, required ? "Your password must be changed" : "Change password"),
    required ? h("p", null, "Your password has expired or must be reset. Choose a new one to continue.") : null,
    field("Old password", oldPw),
    field("New password", newPw),
    field("Confirm new password", again),
    policy,
    msg,
    h("button", { type: "submit", class: "btn primary" }, "Change password"),
  );
  void iam()
    .send(new GetAccountPasswordPolicyCommand({}))
    .then((p) => {
      const pp = p.PasswordPolicy;
      if (pp) policy.textContent = `Password policy: at least ${pp.MinimumPasswordLength ?? 8} characters${pp.RequireSymbols ? ", a symbol" : ""}${pp.RequireNumbers ? ", a number" : ""}${pp.RequireUppercaseCharacters ? ", an upper-case letter" : ""}${pp.RequireLowercaseCharacters ? ", a lower-case letter" : ""}.`;
    })
    .catch(() => undefined);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clear(msg);
    if (newPw.value !== again.value) {
      msg.appendChild(h("div", { class: "alert error", role: "alert" }, "The new passwords do not match."));
      return;
    }
    const ok = await attempt(msg, () => iam().send(new ChangePasswordCommand({ OldPassword: oldPw.value, NewPassword: newPw.value })));
    if (ok) {
      if (required) {
        msg.appendChild(notice("Password changed. Sign in again with the new password."));
        await session.signOut();
      } else msg.appendChild(notice("Password changed."));
    }
  });
  void errorBox;
  return form;
}
