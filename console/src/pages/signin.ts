// signin.ts: the sign-in form (account id or alias, user name or root,
// password, MFA code when asked).
import { clear, field, h } from "../dom";
import * as session from "../session";
import { notice } from "../ui";

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
      // A new session starts at the dashboard, not at the last one's page.
      history.replaceState(null, "", "#/");
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

