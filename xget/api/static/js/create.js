// The create form: common fields, then the parameters of the chosen task type.
// Validation is the API's: its problem+json field errors are shown beside the fields.

import { api } from "./api.js";
import { clear, h, toast } from "./dom.js";

const BY_USER = [
  { name: "username", label: "Username", placeholder: "elonmusk", help: "X screen name (or give a user id)" },
  { name: "user_id", label: "User id", placeholder: "44196397", help: "Numeric X user id (instead of username)" },
];
const LIMIT = { name: "limit", label: "Limit", type: "number", value: 100, min: 1, max: 100000,
  help: "Most items to collect" };
const WINDOW = [
  { name: "since", label: "Since", type: "date", help: "Only items on or after this day (UTC)" },
  { name: "until", label: "Until", type: "date", help: "Only items before this day (UTC)" },
];
const PRODUCT = { name: "product", label: "Search tab", choices: ["Latest", "Top"] };

// The parameters of each task type (xget/commands/params.py); the API has the final word.
export const TYPES = {
  USER_INFO: { label: "User profile", fields: [...BY_USER] },
  USER_TWEETS: { label: "User's posts", fields: [...BY_USER, LIMIT,
    { name: "include_replies", label: "Include replies", type: "checkbox", value: false },
    { name: "include_retweets", label: "Include reposts", type: "checkbox", value: true }, ...WINDOW] },
  KEYWORD_SEARCH: { label: "Keyword search", fields: [
    { name: "query", label: "Query", placeholder: "open source", required: true, help: "X search syntax allowed" },
    LIMIT, PRODUCT, { name: "lang", label: "Language", placeholder: "en", help: "ISO 639-1 code" }, ...WINDOW] },
  HASHTAG_SEARCH: { label: "Hashtag search", fields: [
    { name: "hashtag", label: "Hashtag", placeholder: "#python", required: true }, LIMIT, PRODUCT, ...WINDOW] },
  USER_FOLLOWERS: { label: "User's followers", fields: [...BY_USER, LIMIT] },
  USER_FOLLOWING: { label: "Accounts a user follows", fields: [...BY_USER, LIMIT] },
};

const USER_STORAGE = "xget.userId";

export function createView(root, params) {
  let type = TYPES[params.get("type")] ? params.get("type") : "USER_TWEETS";
  const paramBox = h("fieldset.params");
  const errorBox = h("div.form-error", { role: "alert" });
  const common = {
    task_name: input({ name: "task_name", label: "Name", required: true, placeholder: "Elon Musk's latest posts" }),
    describe: input({ name: "describe", label: "Description", placeholder: "optional" }),
    user_id: input({ name: "owner", label: "Owner (user id)", value: localStorage.getItem(USER_STORAGE) || "",
      placeholder: "required without API keys", help: "Left blank, an API key's own user" }),
    account_id: input({ name: "account_id", label: "Account id", placeholder: "any" }),
    proxy_id: input({ name: "proxy_id", label: "Proxy id", placeholder: "any" }),
  };
  let fields = {};

  const typeSelect = h("select", { name: "task_type", id: "f-task_type",
    onchange: () => { type = typeSelect.value; renderParams(); } },
  Object.entries(TYPES).map(([value, t]) =>
    h("option", { value, text: `${t.label} (${value})`, selected: value === type })));

  function renderParams() {
    fields = Object.fromEntries(TYPES[type].fields.map((f) => [f.name, input({ ...f, param: true })]));
    clear(paramBox, h("legend", "Parameters"), Object.values(fields).map((f) => f.wrap));
  }
  renderParams();

  const form = h("form.card.create",
    { "data-test": "create-form", novalidate: true, onsubmit: (e) => e.preventDefault() },
    h("div.grid",
      common.task_name.wrap,
      h("label.field", h("span", "Task type"), typeSelect),
      common.describe.wrap, common.user_id.wrap, common.account_id.wrap, common.proxy_id.wrap),
    paramBox, errorBox,
    h("div.buttons",
      h("button.primary", { type: "submit", text: "Create and start", "data-test": "create-start",
        onclick: () => submit(true) }),
      h("button", { type: "button", text: "Create", "data-test": "create", onclick: () => submit(false) }),
      h("a.button.ghost", { href: "#/", text: "Cancel" })));

  clear(root, h("div.toolbar", h("h1", "New task")), form);
  common.task_name.control.focus();

  async function submit(andStart) {
    errorBox.textContent = "";
    for (const f of [...Object.values(common), ...Object.values(fields)]) f.setError(null);
    const body = { task_name: common.task_name.value(), task_type: type, parameters: {} };
    for (const key of ["describe", "user_id", "account_id", "proxy_id"]) {
      const v = common[key].value();
      if (v !== "" && v !== null) body[key] = v;
    }
    for (const [name, f] of Object.entries(fields)) {
      const v = f.value();
      if (v !== "" && v !== null) body.parameters[name] = v;
    }
    try {
      let task = await api.create(body);
      if (body.user_id) localStorage.setItem(USER_STORAGE, body.user_id);
      if (andStart) task = await api.start(task.id);
      toast(`${andStart ? "Started" : "Created"} “${task.task_name}”`);
      location.hash = `#/tasks/${task.id}`;
    } catch (error) {
      const byField = error.fields || {};
      let shown = false;
      for (const [field, message] of Object.entries(byField)) {
        const name = field.replace(/^body\./, "");
        const target = name.startsWith("parameters.") ? fields[name.slice(11)] : common[name];
        if (target) { target.setError(message); shown = true; }
      }
      errorBox.textContent = shown ? "Please correct the marked fields." : error.message;
    }
  }
  return () => {};
}

/** A labelled form control with its error line; value() gives the typed value. */
function input(spec) {
  const id = `f-${spec.param ? "p-" : ""}${spec.name}`;
  let control;
  if (spec.choices) {
    control = h("select", { id, name: spec.name }, spec.choices.map((c) => h("option", { value: c, text: c })));
  } else {
    control = h("input", { id, name: spec.name, type: spec.type || "text", placeholder: spec.placeholder,
      min: spec.min, max: spec.max, required: spec.required });
    if (spec.type === "checkbox") control.checked = !!spec.value;
    else if (spec.value !== undefined) control.value = String(spec.value);
  }
  const error = h("span.field-error");
  const wrap = h(`label.field${spec.type === "checkbox" ? ".check" : ""}`, { for: id },
    h("span", spec.label + (spec.required ? " *" : "")), control,
    spec.help ? h("small.muted", spec.help) : null, error);
  return {
    wrap, control,
    value() {
      if (spec.type === "checkbox") return control.checked;
      const v = control.value.trim();
      if (spec.type === "number") return v === "" ? "" : Number(v);
      return v;
    },
    setError(message) {
      error.textContent = message || "";
      wrap.classList.toggle("invalid", !!message);
    },
  };
}
