// switchrole.ts: "Switch role": account + role + display name + colour;
// the choice is remembered in this browser (never the credentials).
import { awsError } from "../aws";
import { clear, field, h, uid } from "../dom";
import { go } from "../nav";
import * as session from "../session";
import { errorBox } from "../ui";

export function switchRolePage(): HTMLElement {
  const account = h("input", { name: "account", required: true, value: session.accountId(), spellcheck: "false" });
  const role = h("input", { name: "role", required: true, spellcheck: "false" });
  const display = h("input", { name: "display", maxlength: "64" });
  const colours = h("fieldset", { class: "colours" }, h("legend", null, "Colour"));
  session.COLOURS.forEach((c, i) => {
    const id = uid("c");
    colours.append(h("input", { type: "radio", name: "colour", value: c, id, checked: i === 4 }), h("label", { for: id, class: `swatch role-${c}` }, c));
  });
  const msg = h("div", { "aria-live": "assertive" });
  const form = h(
    "form",
    { class: "card narrow" },
    h("h1", null, "Switch role"),
    h("p", null, "Use a role to work with the permissions it grants for one hour. The header shows the role's display name and colour while it is active."),
    field("Account ID or alias", account),
    field("Role name", role),
    field("Display name", display, "Optional: shown in the header."),
    colours,
    msg,
    h("button", { type: "submit", class: "btn primary" }, "Switch role"),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clear(msg);
    const colour = (form.querySelector("input[name=colour]:checked") as HTMLInputElement | null)?.value || "blue";
    try {
      await session.switchRole({ account: account.value.trim(), role: role.value.trim(), display: display.value.trim() || `${role.value.trim()} @ ${account.value.trim()}`, colour });
      go("/");
    } catch (e) {
      const err = awsError(e);
      msg.appendChild(errorBox(e));
      if (err.code === "AccessDenied") msg.appendChild(h("p", { class: "hint" }, "Check the role's trust policy and that your policies allow sts:AssumeRole on it."));
    }
  });
  return form;
}
