// ui.ts: shared widgets: error and notice boxes, tabs, a list table with
// search, sort and server-side pagination, modal dialogs.
import { awsError } from "./errors";
import * as session from "./session";
import { Child, clear, h, uid } from "./dom";

export function errorBox(e: unknown): HTMLElement {
  const err = awsError(e);
  return h(
    "div",
    { class: "alert error", role: "alert" },
    h("strong", null, err.code),
    h("p", { class: "msg" }, err.message),
    err.deniedBy ? h("p", { class: "denied-by" }, "Denied by: ", h("strong", null, err.deniedBy)) : null,
  );
}

export function notice(text: string, kind = "success"): HTMLElement {
  return h("div", { class: `alert ${kind}`, role: "status" }, text);
}

// Runs `fn`, showing its failure in `slot` (cleared first).
export async function attempt<T>(slot: HTMLElement, fn: () => Promise<T>): Promise<T | undefined> {
  clear(slot);
  try {
    return await fn();
  } catch (e) {
    slot.appendChild(errorBox(e));
    expired(e);
    return undefined;
  }
}

// Credentials past their expiry: a role's session ends (back to the
// signed-in identity), the console session signs out.
export function expired(e: unknown): void {
  const code = awsError(e).code;
  if (code !== "ExpiredToken" && code !== "ExpiredTokenException") return;
  if (session.activeRole()) session.switchBack();
  else void session.signOut();
}

export function pageHeader(title: string, ...actions: Child[]): HTMLElement {
  return h("div", { class: "page-header" }, h("h1", null, title), h("div", { class: "actions" }, ...actions));
}

export function button(label: string, onclick: (ev: Event) => void, kind = "secondary", extra: Record<string, unknown> = {}): HTMLButtonElement {
  return h("button", { type: "button", class: `btn ${kind}`, onclick, ...extra }, label);
}

export function link(href: string, text: string): HTMLAnchorElement {
  return h("a", { href }, text);
}

// Tabs with the WAI-ARIA pattern: arrow keys move between tabs.
export function tabs(items: Array<{ id: string; label: string; render: (panel: HTMLElement) => void }>, initial?: string): HTMLElement {
  const list = h("div", { class: "tabs", role: "tablist" });
  const panel = h("div", { class: "tab-panel", role: "tabpanel", tabindex: "0" });
  const buttons: HTMLButtonElement[] = [];
  const select = (i: number, focus: boolean) => {
    buttons.forEach((b, j) => {
      b.setAttribute("aria-selected", String(i === j));
      b.tabIndex = i === j ? 0 : -1;
    });
    panel.setAttribute("aria-labelledby", buttons[i].id);
    clear(panel);
    items[i].render(panel);
    if (focus) buttons[i].focus();
  };
  items.forEach((it, i) => {
    const b = h("button", { type: "button", role: "tab", id: uid(`tab-${it.id}`), "data-tab": it.id }, it.label);
    b.addEventListener("click", () => select(i, false));
    b.addEventListener("keydown", (ev) => {
      if (ev.key === "ArrowRight") select((i + 1) % items.length, true);
      if (ev.key === "ArrowLeft") select((i + items.length - 1) % items.length, true);
    });
    buttons.push(b);
    list.appendChild(b);
  });
  const start = Math.max(0, items.findIndex((it) => it.id === initial));
  queueMicrotask(() => select(start, false));
  return h("div", { class: "tabset" }, list, panel);
}

export interface Column<T> {
  label: string;
  value: (row: T) => string | number;
  render?: (row: T) => Child;
}

export interface Page<T> {
  items: T[];
  marker?: string;
}

// A list fetched a page at a time from the server (Marker/MaxItems);
// search and sort apply to the page shown. With `all`, every row is
// fetched once and search, sort and paging span them all.
export function listTable<T>(opts: {
  label: string;
  columns: Column<T>[];
  fetch?: (marker: string | undefined, maxItems: number) => Promise<Page<T>>;
  all?: () => Promise<T[]>;
  pageSize?: number;
  selectable?: boolean;
  onSelect?: (rows: T[]) => void;
}): HTMLElement {
  const pageSize = opts.pageSize ?? 50;
  const markers: Array<string | undefined> = [undefined];
  let pageNo = 0;
  let rows: T[] = [];
  let everything: T[] | undefined; // with opts.all
  let next: string | undefined;
  let sortCol = 0;
  let sortAsc = true;
  const selected = new Set<T>();
  const search = h("input", { type: "search", placeholder: `Search ${opts.label.toLowerCase()}`, "aria-label": `Search ${opts.label.toLowerCase()}`, class: "search" });
  const status = h("span", { class: "page-status", "aria-live": "polite" });
  const prev = button("‹ Previous", () => void load(pageNo - 1), "secondary", { "aria-label": "Previous page" });
  const nextBtn = button("Next ›", () => void load(pageNo + 1), "secondary", { "aria-label": "Next page" });
  const errSlot = h("div");
  const table = h("table", { class: "list" });
  const caption = h("caption", { class: "sr-only" }, opts.label);

  const render = () => {
    clear(table);
    table.appendChild(caption);
    const q = search.value.trim().toLowerCase();
    let shown = (everything ?? rows).filter((r) => !q || opts.columns.some((c) => String(c.value(r)).toLowerCase().includes(q)));
    const col = opts.columns[sortCol];
    shown = [...shown].sort((a, b) => {
      const x = col.value(a);
      const y = col.value(b);
      const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return sortAsc ? c : -c;
    });
    const total = shown.length;
    if (everything) {
      const pages = Math.max(1, Math.ceil(total / pageSize));
      pageNo = Math.min(pageNo, pages - 1);
      shown = shown.slice(pageNo * pageSize, (pageNo + 1) * pageSize);
      next = pageNo + 1 < pages ? "local" : undefined;
    }
    const head = h("tr");
    if (opts.selectable) head.appendChild(h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Select")));
    opts.columns.forEach((c, i) => {
      const sortState = i === sortCol ? (sortAsc ? "ascending" : "descending") : "none";
      head.appendChild(
        h(
          "th",
          { scope: "col", "aria-sort": sortState },
          h(
            "button",
            {
              type: "button",
              class: "sort",
              onclick: () => {
                if (sortCol === i) sortAsc = !sortAsc;
                else {
                  sortCol = i;
                  sortAsc = true;
                }
                render();
              },
            },
            c.label,
            i === sortCol ? (sortAsc ? " ▲" : " ▼") : "",
          ),
        ),
      );
    });
    table.appendChild(h("thead", null, head));
    const body = h("tbody");
    for (const r of shown) {
      const tr = h("tr");
      if (opts.selectable) {
        const cb = h("input", { type: "checkbox", "aria-label": `Select ${String(opts.columns[0].value(r))}`, checked: selected.has(r) });
        cb.addEventListener("change", () => {
          if (cb.checked) selected.add(r);
          else selected.delete(r);
          opts.onSelect?.([...selected]);
        });
        tr.appendChild(h("td", null, cb));
      }
      for (const c of opts.columns) tr.appendChild(h("td", null, c.render ? c.render(r) : String(c.value(r))));
      body.appendChild(tr);
    }
    if (shown.length === 0) body.appendChild(h("tr", null, h("td", { colspan: String(opts.columns.length + (opts.selectable ? 1 : 0)), class: "empty" }, q ? (everything ? "No matches." : "No matches on this page.") : "Nothing to show.")));
    table.appendChild(body);
    status.textContent = everything ? `Page ${pageNo + 1} · ${shown.length} of ${total} matching` : `Page ${pageNo + 1} · ${shown.length} of ${rows.length} shown`;
    prev.disabled = pageNo === 0;
    nextBtn.disabled = !next;
    performance.mark("gh-list");
  };

  const load = async (n: number) => {
    clear(errSlot);
    try {
      if (opts.all) {
        everything ??= await opts.all();
        pageNo = n;
        render();
        return;
      }
      if (!opts.fetch) return;
      const page = await opts.fetch(markers[n], pageSize);
      rows = page.items;
      next = page.marker;
      pageNo = n;
      markers[n + 1] = next;
      render();
    } catch (e) {
      errSlot.appendChild(errorBox(e));
    }
  };
  search.addEventListener("input", () => {
    if (everything) pageNo = 0;
    render();
  });
  void load(0);
  return h("div", { class: "list-table" }, h("div", { class: "toolbar" }, search, h("div", { class: "pager" }, prev, status, nextBtn)), errSlot, h("div", { class: "table-wrap" }, table));
}

// A modal dialog; resolves when closed. Escape closes it.
export function modal(title: string, body: Child, actions: (close: () => void) => Child): () => void {
  const id = uid("dlg");
  const overlay = h("div", { class: "overlay" });
  const opener = document.activeElement as HTMLElement | null;
  const close = () => {
    overlay.remove();
    opener?.focus();
  };
  const dlg = h("div", { class: "dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": id }, h("h2", { id }, title), h("div", { class: "dialog-body" }, body), h("div", { class: "dialog-actions" }, actions(close)));
  overlay.appendChild(dlg);
  overlay.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") close();
    if (ev.key !== "Tab") return;
    // Keep keyboard focus inside the dialog while it is open.
    const f = [...dlg.querySelectorAll<HTMLElement>("button, input, select, textarea, a[href]")].filter((e) => !e.hasAttribute("disabled") && e.offsetParent !== null);
    if (f.length === 0) return;
    const [first, last] = [f[0], f[f.length - 1]];
    if (ev.shiftKey && document.activeElement === first) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && document.activeElement === last) {
      ev.preventDefault();
      first.focus();
    }
  });
  document.body.appendChild(overlay);
  const first = dlg.querySelector<HTMLElement>("button, input, select, textarea, a[href]");
  first?.focus();
  return close;
}
