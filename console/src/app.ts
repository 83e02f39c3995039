// app.ts: the signed-in shell, loaded once signed in (a chunk of its own,
// so the sign-in page stays small): header (identity, role colour, switch
// role, sign out), navigation, and the page for a route.
import { clear, h } from "./dom";
import { go } from "./nav";
import * as session from "./session";
import { changePasswordPage } from "./pages/password";
import { dashboardPage } from "./pages/dashboard";
import { usersPage, userPage, createUserPage } from "./pages/users";
import { groupsPage, groupPage } from "./pages/groups";
import { rolesPage, rolePage } from "./pages/roles";
import { createRoleWizard } from "./pages/wizard";
import { policiesPage, policyPage, createPolicyPage } from "./pages/policies";
import { switchRolePage } from "./pages/switchrole";

function header(): HTMLElement {
  const id = session.identity();
  const role = session.activeRole();
  const who = role ? `${role.display} @ ${role.account}` : id ? (id.root ? `root @ ${id.accountId}` : `${id.userName} @ ${id.accountId}`) : "";
  const menu = h("div", { class: "menu", hidden: true, id: "identity-menu" });
  const toggle = h("button", { type: "button", class: "identity", "aria-haspopup": "true", "aria-expanded": "false", "aria-controls": "identity-menu", "data-testid": "identity" }, who, " ▾");
  toggle.addEventListener("click", () => {
    const open = menu.hidden;
    menu.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) menu.querySelector<HTMLElement>("button, a")?.focus();
  });
  menu.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      menu.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
  menu.appendChild(h("p", { class: "menu-arn" }, role ? role.arn : id?.arn || ""));
  if (role && id) {
    menu.appendChild(
      h("button", { type: "button", class: "btn link", "data-testid": "switch-back", onclick: () => { session.switchBack(); go("/"); } }, `Back to ${id.root ? "root" : id.userName}`),
    );
  }
  for (const r of session.rememberedRoles()) {
    menu.appendChild(
      h("button", { type: "button", class: `btn link role-${r.colour}`, onclick: () => void session.switchRole(r).then(() => go("/")).catch((e) => alert(String(e?.message || e))) }, `${r.display} (${r.role} @ ${r.account})`),
    );
  }
  menu.appendChild(h("a", { href: "#/switchrole", class: "btn link" }, "Switch role"));
  if (id && !id.root && !role) menu.appendChild(h("a", { href: "#/password", class: "btn link" }, "Change password"));
  menu.appendChild(h("button", { type: "button", class: "btn link", "data-testid": "signout", onclick: () => void session.signOut() }, "Sign out"));
  return h(
    "header",
    { class: `top ${role ? `role-${role.colour}` : ""}` },
    h("a", { class: "brand", href: "#/" }, "gatehouse"),
    h("span", { class: "region" }, "us-east-1"),
    h("div", { class: "who" }, toggle, menu),
  );
}

function nav(current: string): HTMLElement {
  const items: Array<[string, string]> = [
    ["/", "Dashboard"],
    ["/users", "Users"],
    ["/groups", "User groups"],
    ["/roles", "Roles"],
    ["/policies", "Policies"],
    ["/switchrole", "Switch role"],
  ];
  return h(
    "nav",
    { class: "side", "aria-label": "IAM" },
    h(
      "ul",
      null,
      items.map(([path, label]) => {
        const active = path === "/" ? current === "/" : current.startsWith(path);
        return h("li", null, h("a", { href: `#${path}`, "aria-current": active ? "page" : undefined }, label));
      }),
    ),
  );
}

export function renderApp(app: HTMLElement, path: string, params: URLSearchParams): void {
  clear(app);
  const id = session.identity();
  const main = h("main", { id: "main", tabindex: "-1" });
  app.appendChild(h("a", { href: "#main", class: "skip" }, "Skip to content"));
  app.appendChild(header());
  app.appendChild(h("div", { class: "layout" }, nav(path), main));
  if (id?.passwordChangeRequired && !session.activeRole()) {
    main.appendChild(changePasswordPage(true));
    return;
  }
  const parts = path.split("/").filter(Boolean);
  const [section, name] = [parts[0] || "", parts.slice(1).join("/")];
  let page: HTMLElement;
  switch (section) {
    case "":
      page = dashboardPage();
      break;
    case "users":
      page = name === "new" ? createUserPage() : name ? userPage(name, params.get("tab") || undefined) : usersPage();
      break;
    case "groups":
      page = name ? groupPage(name) : groupsPage();
      break;
    case "roles":
      page = name === "new" ? createRoleWizard() : name ? rolePage(name, params.get("tab") || undefined) : rolesPage();
      break;
    case "policies":
      page = name === "new" ? createPolicyPage() : name ? policyPage(name, params.get("tab") || undefined) : policiesPage();
      break;
    case "switchrole":
      page = switchRolePage();
      break;
    case "password":
      page = changePasswordPage(false);
      break;
    default:
      page = h("div", null, h("h1", null, "Not found"), h("p", null, "No such page."), h("a", { href: "#/" }, "Dashboard"));
  }
  main.appendChild(page);
  performance.mark("gh-rendered");
  const h1 = main.querySelector("h1");
  if (h1) document.title = `${h1.textContent} · gatehouse console`;
}
