// The REST API and the task event stream, as the dashboard uses them.
// The API key (if any) lives in localStorage and goes out as X-API-Key. The event stream is read
// with fetch rather than EventSource, because EventSource cannot send that header.

const KEY_STORAGE = "xget.apiKey";
export const TASKS = "/api/v1/tasks";

export function apiKey() {
  return localStorage.getItem(KEY_STORAGE) || "";
}

export function setApiKey(key) {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
}

function headers(extra = {}) {
  const h = { Accept: "application/json", ...extra };
  const key = apiKey();
  if (key) h["X-API-Key"] = key;
  return h;
}

/** An error answered by the API, with its problem+json body. */
export class ApiError extends Error {
  constructor(status, problem) {
    const detail = problem.detail || problem.title || `HTTP ${status}`;
    super(`${status} ${problem.title || ""}: ${detail}`.replace(/ : /, ": "));
    this.status = status;
    this.problem = problem;
  }
  /** Field errors by field name ("parameters.limit" -> message). */
  get fields() {
    const out = {};
    for (const e of this.problem.errors || []) out[e.field] = e.message;
    return out;
  }
}

async function problemOf(response) {
  try {
    const body = await response.json();
    if (body && typeof body === "object") return body;
  } catch (_) { /* not JSON */ }
  return { title: response.statusText, detail: `HTTP ${response.status}` };
}

/** One JSON request; throws ApiError on 4xx/5xx. */
export async function request(method, path, body) {
  const init = { method, headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(path, init);
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  if (response.status === 204) return null;
  return response.json();
}

export const api = {
  list: (query) => request("GET", `${TASKS}?${new URLSearchParams(query)}`),
  get: (id) => request("GET", `${TASKS}/${encodeURIComponent(id)}`),
  create: (body) => request("POST", TASKS, body),
  start: (id) => request("POST", `${TASKS}/${encodeURIComponent(id)}/start`),
  stop: (id) => request("POST", `${TASKS}/${encodeURIComponent(id)}/stop`),
  remove: (id) => request("DELETE", `${TASKS}/${encodeURIComponent(id)}`),
  executions: (id) => request("GET", `/api/v1/task-executions/task/${encodeURIComponent(id)}?size=10`),
  results: (id, limit = 10) => request("GET", `${TASKS}/${encodeURIComponent(id)}/results?limit=${limit}`),
};

/**
 * Without an API key: let the browser download the export itself (a form POST answered with
 * Content-Disposition: attachment), so it streams to disk whatever its size. Returns false when
 * a key is needed (a form cannot send the header; use exportResults then).
 */
export function exportToDisk(id, format) {
  if (apiKey()) return false;
  // Into a hidden frame, so the page stays as it is whatever the answer; the form and frame are
  // removed later (removing a form at once cancels its submission).
  const frame = document.createElement("iframe");
  frame.name = `xget-export-${Date.now()}`;
  frame.hidden = true;
  const form = document.createElement("form");
  form.method = "POST";
  form.action = `${TASKS}/export/${encodeURIComponent(id)}?format=${encodeURIComponent(format)}`;
  form.target = frame.name;
  form.hidden = true;
  document.body.append(frame, form);
  form.submit();
  setTimeout(() => { form.remove(); frame.remove(); }, 60000);
  return true;
}

/**
 * Download a task's export; calls onBytes(received) as it arrives and returns a Blob.
 * (With an API key: the export endpoint needs the key header, so the page fetches it, holding
 * the file in memory until it is saved.)
 */
export async function exportResults(id, format, onBytes) {
  const response = await fetch(`${TASKS}/export/${encodeURIComponent(id)}?format=${format}`,
    { method: "POST", headers: headers({ Accept: "*/*" }) });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onBytes(received);
  }
  return new Blob(chunks, { type: response.headers.get("Content-Type") || "application/octet-stream" });
}

/**
 * Follow a task's server-sent events. onEvent(name, data) for each event; onEnd() once the
 * task ended; onError(error) when the stream cannot continue (unknown task, bad key).
 * Reconnects with Last-Event-ID after a dropped connection. Returns a function that closes it.
 */
export function followTask(id, { onEvent, onEnd, onError }) {
  const controller = new AbortController();
  let lastId = null;
  let closed = false;
  let failures = 0;

  async function connect() {
    const extra = { Accept: "text/event-stream" };
    if (lastId !== null) extra["Last-Event-ID"] = lastId;
    const response = await fetch(`${TASKS}/${encodeURIComponent(id)}/events`,
      { headers: headers(extra), signal: controller.signal });
    if (response.status === 204) return "ended";
    if (!response.ok) throw new ApiError(response.status, await problemOf(response));
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return "closed";
      buffer += value;
      let cut;
      while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
        const event = parseBlock(block);
        if (!event) continue;
        failures = 0;
        if (event.id !== null) lastId = event.id;
        onEvent(event.name, event.data);
        if (event.name === "end") return "ended";
      }
    }
  }

  (async () => {
    while (!closed) {
      try {
        const how = await connect();
        if (how === "ended") { closed = true; onEnd && onEnd(); return; }
      } catch (error) {
        if (closed || error.name === "AbortError") return;
        if (error instanceof ApiError) { closed = true; onError && onError(error); return; }
      }
      failures += 1;
      if (failures > 8) { onError && onError(new Error("lost the task's event stream")); return; }
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** failures, 10000)));
    }
  })();

  return () => { closed = true; controller.abort(); };
}

function parseBlock(block) {
  let name = "message", id = null;
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") name = value;
    else if (field === "id") id = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  try {
    return { name, id, data: JSON.parse(data.join("\n")) };
  } catch (_) {
    return null;
  }
}
