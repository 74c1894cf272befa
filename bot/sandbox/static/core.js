// What every part of the page shares: its state, its words, the API, notices.
// (A module: loaded by app.js, nothing global.)

export const state = {
  texts: {},
  language: "en",
  languages: [],
  telegramLanguages: ["uz", "ru", "en"],
  people: [],
  panes: [], // {personId, element, loading, pending}
  events: null,
  eventsOpened: false,
  dismissed: {}, // chat id -> the refusal banner's text a person dismissed there
};

export const PHOTO_LIMIT = 10 * 1024 * 1024;
export const PHONE = window.matchMedia("(max-width: 760px)");

export function t(word) {
  return state.texts[word] || word;
}

export function languageName(code) {
  return t({ uz: "Uzbek", ru: "Russian", en: "English" }[code] || code);
}

export async function api(method, path, body, raw) {
  const options = { method, headers: {}, credentials: "same-origin" };
  if (raw !== undefined) {
    options.body = raw;
    options.headers["Content-Type"] = "application/octet-stream";
  } else if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(path, options);
  if (response.status === 401) {
    window.location.assign("/login");
    throw new Error("sign in first");
  }
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  if (!response.ok) {
    const message = (data && data.error) || String(response.status);
    throw new Error(message);
  }
  return data;
}

export function withLanguage(path) {
  return path + (path.includes("?") ? "&" : "?") + "lang=" + encodeURIComponent(state.language);
}

export function person(id) {
  return state.people.find((p) => p.id === id);
}

export function showToast(pane, text) {
  const toast = pane.element.querySelector(".toast");
  toast.textContent = text;
  toast.hidden = false;
  window.clearTimeout(pane.toastTimer);
  pane.toastTimer = window.setTimeout(() => {
    toast.hidden = true;
  }, 4000);
}

export function showAlert(text) {
  const dialog = document.getElementById("alert-dialog");
  document.getElementById("alert-text").textContent = text;
  if (!dialog.open) dialog.showModal();
}
