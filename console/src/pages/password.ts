// password.ts: changing the console password (forced when it expired).
import { ChangePasswordCommand, GetAccountPasswordPolicyCommand } from "@aws-sdk/client-iam";
import { iam } from "../aws";
import { clear, field, h } from "../dom";
import * as session from "../session";
import { attempt, notice } from "../ui";

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
  return form;
}
