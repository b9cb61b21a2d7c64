// Small DOM helpers. Everything the API returns (task names, tweet texts) goes in as text,
// never as HTML.

/** h("div#id.card.wide", {onclick, dataset...}, child, "text", ...) -> element */
export function h(spec, attrs, ...children) {
  const [head, ...classes] = spec.split(".");
  const [tag, id] = head.split("#");
  const el = document.createElement(tag || "div");
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(" ");
  if (attrs && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "text") el.textContent = value;
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const FINAL = new Set(["COMPLETED", "FAILED", "STOPPED"]);

export function statusBadge(status) {
  return h("span.badge", { dataset: { status: status || "" }, text: status || "-" });
}

export function when(iso) {
  if (!iso) return "-";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" });
}

export function ago(iso) {
  if (!iso) return "-";
  const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return when(iso);
}

export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Items asked for by a task: its limit (one profile for USER_INFO). */
export function target(task) {
  if (task.task_type === "USER_INFO") return 1;
  const limit = task.parameters && task.parameters.limit;
  return Number.isInteger(limit) ? limit : null;
}

/** A progress bar of done/total (indeterminate when total is unknown). */
export function progressBar(done, total, status) {
  const pct = total ? Math.min(100, Math.round((100 * done) / total)) : null;
  const bar = h("div.progress", { dataset: { status: status || "" }, role: "progressbar",
    "aria-valuenow": String(done), "aria-valuemax": total ? String(total) : undefined });
  const fill = h("div.fill");
  fill.style.width = `${pct === null ? (done ? 100 : 0) : pct}%`;  // CSSOM: the CSP forbids style attributes
  bar.append(fill);
  return h("div.progress-line", bar, h("span.count", { text: total ? `${done} / ${total}` : `${done}` }));
}

/** Show a message in the toast area for a few seconds. */
export function toast(message, kind = "info") {
  const area = document.getElementById("toasts");
  const el = h("div.toast", { dataset: { kind }, role: kind === "error" ? "alert" : "status", text: message });
  area.append(el);
  setTimeout(() => el.remove(), kind === "error" ? 8000 : 4000);
}
