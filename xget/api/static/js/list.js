// The task list: filters, status and progress of each task, start and stop, pages.
// It refreshes every few seconds while shown (one request; running tasks' details use SSE).

import { api } from "./api.js";
import { FINAL, ago, clear, h, progressBar, statusBadge, target, toast } from "./dom.js";

const REFRESH_MS = 2000;
const STATUSES = ["", "PENDING", "RUNNING", "COMPLETED", "FAILED", "STOPPED"];

export function listView(root, params) {
  const state = {
    page: Math.max(1, Number.parseInt(params.get("page") || "1", 10) || 1),
    status: params.get("status") || "",
    q: params.get("q") || "",
  };
  let timer = null;
  let stopped = false;

  const statusSelect = h("select#status-filter", { "aria-label": "Status", name: "status",
    onchange: () => { state.status = statusSelect.value; state.page = 1; load(); } },
  STATUSES.map((s) => h("option", { value: s, text: s || "all statuses", selected: s === state.status })));
  const search = h("input", { type: "search", placeholder: "Search task names", value: state.q, name: "q",
    "aria-label": "Search task names",
    oninput: debounce(() => { state.q = search.value.trim(); state.page = 1; load(); }, 300) });
  const body = h("tbody");
  const pager = h("div.pager");
  const summary = h("span.muted");

  clear(root,
    h("div.toolbar",
      h("h1", "Tasks"), summary,
      h("div.spacer"), statusSelect, search,
      h("a.button.primary", { href: "#/new", text: "New task", "data-test": "new-task" })),
    h("table.tasks", { "data-test": "task-table" },
      h("thead", h("tr", ["Name", "Type", "Status", "Progress", "Updated", ""].map((t) => h("th", t)))),
      body),
    pager);

  async function load() {
    clearTimeout(timer);
    remember();
    try {
      const query = { page: state.page, size: 20 };
      if (state.status) query.status = state.status;
      if (state.q) query.q = state.q;
      const page = await api.list(query);
      if (stopped) return;
      render(page);
    } catch (error) {
      if (stopped) return;
      clear(body, h("tr", h("td.error", { colspan: 6, text: error.message })));
    }
    if (!stopped) timer = setTimeout(load, REFRESH_MS);
  }

  function render(page) {
    summary.textContent = `${page.total} task${page.total === 1 ? "" : "s"}`;
    if (!page.items.length) {
      clear(body, h("tr", h("td.empty", { colspan: 6 },
        "No tasks yet. ", h("a", { href: "#/new", text: "Create one" }), ".")));
    } else {
      clear(body, page.items.map(row));
    }
    const pages = Math.max(1, Math.ceil(page.total / page.size));
    if (state.page > pages) { // a remembered page past the end (tasks were deleted): the last one
      state.page = pages;
      load();
      return;
    }
    clear(pager,
      h("button", { disabled: state.page <= 1, text: "‹ Previous", onclick: () => { state.page -= 1; load(); } }),
      h("span.muted", { text: `page ${state.page} of ${pages}` }),
      h("button", { disabled: state.page >= pages, text: "Next ›", onclick: () => { state.page += 1; load(); } }));
  }

  function row(task) {
    const running = task.status === "RUNNING";
    const action = running
      ? h("button.small", { text: "Stop", "data-test": "stop", onclick: () => act(() => api.stop(task.id)) })
      : h("button.small", { text: FINAL.has(task.status) ? "Run again" : "Start", "data-test": "start",
        onclick: () => act(() => api.start(task.id)) });
    return h("tr", { dataset: { taskId: task.id, status: task.status } },
      h("td", h("a", { href: `#/tasks/${task.id}`, text: task.task_name }),
        h("div.muted.mono", { text: task.id })),
      h("td", h("span.type", { text: task.task_type })),
      h("td", statusBadge(task.status)),
      h("td.progress-cell", progressBar(task.result_count, target(task), task.status)),
      h("td.muted", { text: ago(task.updated_at), title: task.updated_at }),
      h("td.row-actions", action));
  }

  async function act(call) {
    try {
      await call();
      load();
    } catch (error) {
      toast(error.message, "error");
    }
  }

  // The page and filters live in the address, so Back from a task returns to them.
  function remember() {
    const query = new URLSearchParams();
    if (state.page > 1) query.set("page", String(state.page));
    if (state.status) query.set("status", state.status);
    if (state.q) query.set("q", state.q);
    const hash = `#/${query.toString() ? "?" + query : ""}`;
    if ((location.hash || "#/") !== hash) history.replaceState(null, "", hash);
  }

  load();
  return () => { stopped = true; clearTimeout(timer); };
}

function debounce(fn, ms) {
  let t = null;
  return () => { clearTimeout(t); t = setTimeout(fn, ms); };
}
