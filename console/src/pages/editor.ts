// editor.ts: a JSON policy editor: a textarea with line numbers, where a
// server validation message is pinned to the line and column it is about.
import { clear, h, uid } from "../dom";

export interface Position {
  line: number;
  column: number;
}

// Where JSON.parse stops on `text`, or null when it parses.
export function syntaxPosition(text: string): Position | null {
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    const msg = String((e as Error).message);
    const lc = /line (\d+) column (\d+)/.exec(msg);
    if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
    const pos = /position (\d+)/.exec(msg);
    const at = pos ? Number(pos[1]) : text.length;
    const before = text.slice(0, at).split("\n");
    return { line: before.length, column: before[before.length - 1].length + 1 };
  }
}

// The position of the first policy element a message names, e.g. "Action".
export function elementPosition(text: string, message: string): Position | null {
  const names = ["NotPrincipal", "Principal", "NotAction", "Action", "NotResource", "Resource", "Condition", "Effect", "Version", "Sid", "Statement"];
  for (const n of names) {
    if (!new RegExp(`\\b${n}s?\\b`, "i").test(message)) continue; // "must contain resources"
    const i = text.indexOf(`"${n}"`);
    if (i >= 0) {
      const before = text.slice(0, i).split("\n");
      return { line: before.length, column: before[before.length - 1].length + 1 };
    }
  }
  return null;
}

export function jsonEditor(initial: string, label: string): {
  el: HTMLElement;
  value: () => string;
  setValue: (v: string) => void;
  check: () => boolean;
  showServerError: (message: string) => void;
  clearMarks: () => void;
} {
  const id = uid("json");
  const gutter = h("pre", { class: "gutter", "aria-hidden": "true" });
  const area = h("textarea", { id, class: "code", spellcheck: "false", rows: "18", "aria-describedby": `${id}-msg`, autocapitalize: "off", autocomplete: "off" });
  area.value = initial;
  const msg = h("div", { id: `${id}-msg`, class: "editor-msg", "aria-live": "polite" });
  const renumber = (mark?: number) => {
    const n = area.value.split("\n").length;
    clear(gutter);
    for (let i = 1; i <= n; i++) gutter.appendChild(h("span", { class: i === mark ? "mark" : undefined }, `${i}\n`));
  };
  area.addEventListener("input", () => renumber());
  area.addEventListener("scroll", () => (gutter.scrollTop = area.scrollTop));
  // Tab indents instead of leaving the field; Escape then Tab leaves it.
  let escaped = false;
  area.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") escaped = true;
    else if (ev.key === "Tab" && !ev.shiftKey && !escaped) {
      ev.preventDefault();
      const s = area.selectionStart;
      area.setRangeText("  ", s, area.selectionEnd, "end");
      renumber();
    } else escaped = false;
  });
  renumber();
  const place = (text: string, pos: Position | null) => {
    clear(msg);
    const where = pos ? `Line ${pos.line}, column ${pos.column}: ` : "";
    msg.appendChild(h("div", { class: "alert error", role: "alert", "data-testid": "editor-error" }, h("strong", null, where), text));
    renumber(pos?.line);
    if (pos) {
      const lines = area.value.split("\n");
      let off = 0;
      for (let i = 0; i < pos.line - 1 && i < lines.length; i++) off += lines[i].length + 1;
      off += Math.max(0, pos.column - 1);
      area.focus();
      area.setSelectionRange(off, Math.min(area.value.length, off + 1));
    }
  };
  return {
    el: h("div", { class: "editor" }, h("label", { for: id }, label), h("div", { class: "editor-box" }, gutter, area), msg),
    value: () => area.value,
    setValue: (v: string) => {
      area.value = v;
      renumber();
    },
    check: () => {
      const pos = syntaxPosition(area.value);
      if (pos) place("The document is not valid JSON.", pos);
      return pos === null;
    },
    showServerError: (message: string) => place(message, syntaxPosition(area.value) || elementPosition(area.value, message)),
    clearMarks: () => {
      clear(msg);
      renumber();
    },
  };
}
