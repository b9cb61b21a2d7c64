// One task: live progress from its event stream, its executions, a results preview, and the
// start, stop, export and delete actions.

import { api, exportResults, exportToDisk, followTask } from "./api.js";
import { FINAL, bytes, clear, h, progressBar, statusBadge, target, toast, when } from "./dom.js";

const PREVIEW = 10;

export function detailView(root, id) {
  let task = null;
  let live = null;         // the latest event-stream state
  let closeStream = null;
  let stopped = false;
  let previewTimer = null;

  const title = h("h1", "…");
  const badge = h("span");
  // Built once: a live update must not reset an export in progress.
  const runBox = h("span");
  let runningShown = null;
  const deleteButton = h("button.ghost", { text: "Delete", "data-test": "delete", onclick: remove });
  const actions = h("div.actions", runBox, exportControl(), deleteButton);
  const liveBox = h("section.card.live", { "data-test": "live" });
  const infoBox = h("section.card.info");
  const execBox = h("section.card");
  const resultBox = h("section.card", { "data-test": "results" });
  clear(root,
    h("div.toolbar", h("a.back", { href: "#/", text: "‹ Tasks" }), title, badge, h("div.spacer"), actions),
    h("div.columns", h("div", liveBox, infoBox), h("div", execBox)),
    resultBox);

  async function load() {
    try {
      task = await api.get(id);
    } catch (error) {
      clear(root, h("div.card.error", { "data-test": "not-found", text: error.message }),
        h("a", { href: "#/", text: "Back to the tasks" }));
      return;
    }
    renderTask();
    renderLive();
    follow();
    loadExecutions();
    loadResults();
  }

  function follow() {
    if (closeStream) closeStream();
    closeStream = followTask(id, {
      onEvent(name, data) {
        const before = live;
        live = data;
        task = { ...task, status: data.status, execution_id: data.execution_id, result_count: data.result_count,
          task_name: data.task_name || task.task_name, updated_at: data.updated_at };
        renderTask();
        renderLive();
        if (name === "progress") schedulePreview();
        if (name === "status" || name === "end" || !before || before.execution_id !== data.execution_id) {
          loadExecutions();
        }
        // The results view trails the task's status by a moment: look again shortly after.
        if (name === "end") { loadResults(); setTimeout(() => { if (!stopped) loadResults(); }, 1500); }
      },
      onEnd() { closeStream = null; renderLive(); },
      onError(error) { toast(error.message, "error"); },
    });
  }

  function renderTask() {
    title.textContent = task.task_name;
    clear(badge, statusBadge(task.status));
    const running = task.status === "RUNNING";
    if (runningShown !== running || !runBox.firstChild) {
      runningShown = running;
      clear(runBox, running
        ? h("button.danger", { text: "Stop", "data-test": "stop", onclick: () => act(() => api.stop(id)) })
        : h("button.primary", { text: FINAL.has(task.status) ? "Run again" : "Start", "data-test": "start",
          onclick: () => act(async () => { await api.start(id); live = null; follow(); }) }));
    }
    deleteButton.disabled = running;
    clear(infoBox,
      h("h2", "Task"),
      h("dl",
        item("Id", h("span.mono", task.id)),
        item("Type", task.task_type),
        task.describe ? item("Description", task.describe) : null,
        item("Parameters", h("code", { text: Object.entries(task.parameters || {})
          .map(([k, v]) => `${k}=${v}`).join("  ") })),
        item("Owner", task.user_id),
        task.account_id ? item("Account", task.account_id) : null,
        task.proxy_id ? item("Proxy", task.proxy_id) : null,
        item("Created", when(task.created_at)),
        item("Updated", when(task.updated_at)),
        task.error_message ? item("Error", h("span.error", task.error_message)) : null));
  }

  function renderLive() {
    const s = live || { status: task.status, result_count: task.result_count, pages: null };
    const status = s.execution_status === "STOPPING" ? "STOPPING" : s.status;
    const streaming = closeStream !== null && !(live && live.ended);
    clear(liveBox,
      h("h2", "Progress ", streaming ? h("span.live-dot", { title: "live", text: "● live" }) : null),
      progressBar(s.result_count || 0, s.target ?? target(task), status),
      h("dl.stats",
        item("Status", h("span", { "data-test": "live-status", text: status })),
        item("Items", h("span", { "data-test": "live-count", text: String(s.result_count || 0) })),
        item("Pages", s.pages ?? "-"),
        item("Account / proxy", [s.account_id, s.proxy_id].filter(Boolean).join(" / ") || "-"),
        item("Rate-limit waits", s.waits ? `${s.waits} (${Math.round(s.wait_seconds)} s)` : "0"),
        s.duration != null ? item("Duration", `${s.duration.toFixed(2)} s`) : null),
      s.waiting ? h("p.notice", `Waiting ${Math.round(s.waiting.seconds)} s: ${s.waiting.reason}`) : null,
      s.error_message ? h("p.error", `${s.error_class || "Error"}: ${s.error_message}`) : null);
  }

  async function loadExecutions() {
    try {
      const page = await api.executions(id);
      if (stopped) return;
      clear(execBox, h("h2", `Executions (${page.total})`),
        page.items.length ? h("table.compact", { "data-test": "executions" },
          h("thead", h("tr", ["Started", "Status", "Items", "Pages", "Account", "Duration"].map((t) => h("th", t)))),
          h("tbody", page.items.map((e) => h("tr",
            h("td", { text: when(e.started_at || e.requested_at), title: e.id }),
            h("td", statusBadge(e.status)),
            h("td", String(e.result_count)),
            h("td", String(e.pages)),
            h("td", [e.account_id, e.proxy_id].filter(Boolean).join(" / ") || "-"),
            h("td", e.duration != null ? `${e.duration.toFixed(2)} s` : "-")))))
          : h("p.muted", "Not run yet."));
    } catch (error) {
      if (!stopped) clear(execBox, h("h2", "Executions"), h("p.error", error.message));
    }
  }

  function schedulePreview() {
    if (previewTimer) return;
    previewTimer = setTimeout(() => { previewTimer = null; loadResults(); loadExecutions(); }, 1000);
  }

  async function loadResults() {
    try {
      const page = await api.results(id, PREVIEW);
      if (stopped) return;
      const items = page.items;
      const users = items.length && items[0].item_type === "user";
      clear(resultBox, h("h2", `Results preview`, h("span.muted", ` (first ${items.length} of ${task.result_count})`)),
        !items.length ? h("p.muted", "Nothing collected yet.")
          : h("table.compact.results", { "data-test": "results-table" },
            h("thead", h("tr", (users ? ["User", "Name", "Followers", "Posts"] : ["Posted", "Author", "Text", "Likes"])
              .map((t) => h("th", t)))),
            h("tbody", items.map((it) => users
              ? h("tr", h("td", `@${it.screen_name}`), h("td", it.name || ""),
                h("td", String(it.followers_count ?? "")), h("td", String(it.tweet_count ?? "")))
              : h("tr", h("td", { text: when(it.created_at) }),
                h("td", it.author ? `@${it.author.screen_name}` : ""),
                h("td.text", it.text || ""), h("td", String(it.like_count ?? "")))))));
    } catch (error) {
      if (!stopped) clear(resultBox, h("h2", "Results preview"), h("p.error", error.message));
    }
  }

  function exportControl() {
    const format = h("select", { "aria-label": "Export format", "data-test": "export-format" },
      ["csv", "json", "ndjson", "xlsx"].map((f) => h("option", { value: f, text: f.toUpperCase() })));
    const status = h("span.muted.export-status", { "data-test": "export-status" });
    const button = h("button", { text: "Export", "data-test": "export", onclick: async () => {
      button.disabled = true;
      try {
        if (exportToDisk(id, format.value)) {
          status.textContent = "download started";
          return;
        }
        const blob = await exportResults(id, format.value, (n) => { status.textContent = bytes(n); });
        const url = URL.createObjectURL(blob);
        const link = h("a", { href: url, download: `xget-${id}.${format.value}` });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
        status.textContent = `${bytes(blob.size)} saved`;
      } catch (error) {
        status.textContent = "";
        toast(error.message, "error");
      } finally {
        button.disabled = false;
      }
    } });
    return h("span.export", format, button, status);
  }

  async function remove() {
    if (!confirm(`Delete “${task.task_name}”? Its results stay in the event store.`)) return;
    await act(async () => { await api.remove(id); location.hash = "#/"; });
  }

  async function act(call) {
    try {
      await call();
      if (!stopped && location.hash.startsWith("#/tasks/")) {
        task = await api.get(id);
        renderTask();
        if (!closeStream) follow();
      }
    } catch (error) {
      toast(error.message, "error");
    }
  }

  load();
  return () => {
    stopped = true;
    clearTimeout(previewTimer);
    if (closeStream) closeStream();
  };
}

function item(label, value) {
  return [h("dt", label), h("dd", value)];
}
