// The dashboard's shell: the API key box and a hash router over three views
// (#/ the task list, #/new the create form, #/tasks/<id> one task).

import { api, apiKey, setApiKey } from "./api.js";
import { createView } from "./create.js";
import { detailView } from "./detail.js";
import { clear, h, toast } from "./dom.js";
import { listView } from "./list.js";

const main = document.getElementById("main");
let leave = () => {};

function route() {
  leave();
  const [path, query] = (location.hash.slice(1) || "/").split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean);
  if (parts[0] === "new") leave = createView(main, params);
  else if (parts[0] === "tasks" && parts[1]) leave = detailView(main, decodeURIComponent(parts[1]));
  else leave = listView(main, params);
  for (const link of document.querySelectorAll("nav a")) {
    link.classList.toggle("active", link.getAttribute("href") === `#/${parts[0] === "new" ? "new" : ""}`);
  }
}

function keyBox() {
  const box = document.getElementById("auth");
  const field = h("input", { type: "password", placeholder: "API key", autocomplete: "off", "data-test": "api-key",
    "aria-label": "API key", value: apiKey() });
  const state = h("span.muted.auth-state", { "data-test": "auth-state" });
  const save = h("button.small", { type: "submit", text: "Use key", "data-test": "save-key" });
  const forget = h("button.small.ghost", { type: "button", text: "Forget", onclick: async () => {
    field.value = "";
    setApiKey("");
    await check();
    route();
  } });
  // A form, so Enter in the field uses the key (and the browser knows what the password field is).
  const form = h("form.auth-form", { onsubmit: async (event) => {
    event.preventDefault();
    setApiKey(field.value.trim());
    await check();
    route();
  } }, field, save, forget);
  clear(box, state, form);

  async function check() {
    try {
      await api.list({ size: 1 });
      state.textContent = apiKey() ? "key accepted" : "no key needed";
      box.dataset.auth = "ok";
    } catch (error) {
      if (error.status === 401) {
        state.textContent = apiKey() ? "key refused" : "this API needs a key";
        box.dataset.auth = "needed";
        toast(apiKey() ? "The API refused this key." : "This API needs an API key: enter it at the top right.",
          "error");
      } else {
        state.textContent = "API unreachable";
        box.dataset.auth = "error";
      }
    }
  }
  return check();
}

window.addEventListener("hashchange", route);
keyBox().then(route);
