// The sandbox's web chat. Plain DOM, no build step, nothing loaded from elsewhere.
// The bot's text is never parsed as HTML: it arrives as plain text plus Telegram entities
// and is built with textContent (text.js).

import { sendText, wireComposer } from "./actions.js";
import {
  PHONE,
  api,
  languageName,
  person,
  showAlert,
  showToast,
  state,
  t,
  withLanguage,
} from "./core.js";
import { linkTo, renderText } from "./text.js";


// --- page words ------------------------------------------------------------------------

function applyTexts(root) {
  for (const element of root.querySelectorAll("[data-t]")) {
    element.textContent = t(element.dataset.t);
  }
  for (const element of root.querySelectorAll("[data-t-label]")) {
    element.setAttribute("aria-label", t(element.dataset.tLabel));
  }
  for (const element of root.querySelectorAll("[data-t-placeholder]")) {
    element.setAttribute("placeholder", t(element.dataset.tPlaceholder));
  }
}

async function loadTexts() {
  const saved = window.localStorage.getItem("sandbox-ui-language");
  const data = await api("GET", saved ? "/api/ui?lang=" + encodeURIComponent(saved) : "/api/ui");
  state.texts = data.texts;
  state.language = data.language;
  state.languages = data.languages;
  state.telegramLanguages = data.telegram_languages;
  // A training room (a password) lets each trainee sign out of a shared or borrowed phone.
  document.getElementById("sign-out").hidden = !data.password;
  // In a training room only the trainer's computer starts everything over.
  document.getElementById("reset").hidden = !data.can_reset;
  document.documentElement.lang = state.language.replace("_", "-");
  applyTexts(document);
  document.title = t("FieldReport sandbox");
  const select = document.getElementById("ui-language");
  select.replaceChildren();
  for (const language of state.languages) {
    const option = document.createElement("option");
    option.value = language.code;
    option.textContent = language.name;
    option.lang = language.code.replace("_", "-");
    option.selected = language.code === state.language;
    select.append(option);
  }
}

// --- people ----------------------------------------------------------------------------


async function loadPeople() {
  const data = await api("GET", withLanguage("/api/people"));
  state.people = data.people;
  const list = document.getElementById("people-list");
  list.replaceChildren();
  for (const p of state.people) {
    const item = document.createElement("li");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "person";
    open.dataset.personId = String(p.id);
    const name = document.createElement("span");
    name.className = "person-name";
    name.textContent = p.name;
    const label = document.createElement("span");
    label.className = "person-label";
    label.textContent = p.label;
    open.append(name, label);
    open.addEventListener("click", () => openChat(p.id, 0));
    const beside = document.createElement("button");
    beside.type = "button";
    beside.className = "beside";
    beside.dataset.personId = String(p.id);
    beside.textContent = t("Open beside");
    beside.setAttribute("aria-label", t("Open beside") + ": " + p.name);
    beside.addEventListener("click", () => openChat(p.id, 1));
    item.append(open, beside);
    list.append(item);
  }
  markCurrent();
  for (const pane of state.panes) {
    if (pane) fillPaneHead(pane);
  }
}

function markCurrent() {
  const open = state.panes.filter(Boolean).map((pane) => pane.personId);
  for (const button of document.querySelectorAll("#people-list button.person")) {
    const current = open.includes(Number(button.dataset.personId));
    if (current) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
  document.getElementById("empty-hint").hidden = open.length > 0;
}

function setPeopleOpen(open) {
  document.body.classList.toggle("people-open", open);
  const toggle = document.getElementById("people-toggle");
  toggle.setAttribute("aria-expanded", String(open));
  toggle.title = t(open ? "Hide the people list" : "Show the people list");
}

// --- panes -----------------------------------------------------------------------------

function openChat(personId, slot) {
  if (PHONE.matches) setPeopleOpen(false);
  if (slot === 1 && state.panes[0] && state.panes[0].personId === personId) return;
  const other = state.panes[1 - slot];
  if (other && other.personId === personId) closePane(1 - slot);
  if (slot === 1 && !state.panes[0]) slot = 0;
  const existing = state.panes[slot];
  if (existing && existing.personId === personId) {
    existing.element.querySelector(".composer-input").focus();
    return;
  }
  if (existing) existing.element.remove();
  const pane = createPane(personId, slot);
  state.panes[slot] = pane;
  document.body.classList.toggle("two-panes", Boolean(state.panes[0] && state.panes[1]));
  markCurrent();
  loadPane(pane);
  pane.element.querySelector(".composer-input").focus();
}

function closePane(slot) {
  const pane = state.panes[slot];
  if (!pane) return;
  pane.element.remove();
  state.panes[slot] = undefined;
  if (slot === 0 && state.panes[1]) {
    state.panes[0] = state.panes[1];
    state.panes[1] = undefined;
    state.panes[0].element.querySelector(".close-pane").hidden = true;
    state.panes[0].element.dataset.slot = "0";
  }
  document.body.classList.toggle("two-panes", Boolean(state.panes[0] && state.panes[1]));
  markCurrent();
}

function createPane(personId, slot) {
  const fragment = document.getElementById("pane-template").content.cloneNode(true);
  const element = fragment.querySelector("section.chat");
  element.dataset.chatId = String(personId);
  element.dataset.slot = String(slot);
  applyTexts(fragment);
  const panes = document.getElementById("panes");
  if (slot === 0 && panes.querySelector("section.chat")) {
    panes.querySelector("section.chat").before(fragment);
  } else {
    panes.append(fragment);
  }
  const pane = { personId, element, loading: true, pending: [] };
  fillPaneHead(pane);
  const close = element.querySelector(".close-pane");
  close.hidden = slot === 0;
  close.addEventListener("click", () => closePane(state.panes.indexOf(pane)));
  wireComposer(pane, loadPeople);
  return pane;
}

function fillPaneHead(pane) {
  const p = person(pane.personId);
  if (!p) return;
  const element = pane.element;
  element.setAttribute("aria-label", p.name);
  element.dataset.language = p.language;
  element.querySelector(".chat-name").textContent = p.name;
  element.querySelector(".chat-label").textContent = p.label;
  const select = element.querySelector(".tg-language");
  select.replaceChildren();
  for (const code of state.telegramLanguages) {
    const option = document.createElement("option");
    option.value = code;
    option.textContent = languageName(code);
    option.selected = code === p.language;
    select.append(option);
  }
}

async function loadPane(pane) {
  pane.loading = true;
  pane.pending = [];
  pane.element.dataset.loaded = "false";
  try {
    const data = await api("GET", "/api/chats/" + pane.personId + "/messages");
    const list = pane.element.querySelector(".messages");
    list.replaceChildren(...data.messages.map((m) => messageElement(pane, m)));
    // Every refusal since the person last dismissed the banner, not only the latest.
    let shown = data.refusals;
    const dismissed = state.dismissed[pane.personId];
    const seen = dismissed ? shown.map(refusalKey).lastIndexOf(dismissed) : -1;
    if (seen >= 0) shown = shown.slice(seen + 1);
    pane.refusals = shown;
    drawBanner(pane);
  } catch (error) {
    showToast(pane, t("Something went wrong: the sandbox did not accept that."));
  }
  pane.loading = false;
  const pending = pane.pending;
  pane.pending = [];
  for (const event of pending) applyEvent(pane, event);
  afterChange(pane);
  pane.element.dataset.loaded = "true";
}

function afterChange(pane) {
  const list = pane.element.querySelector(".messages");
  pane.element.querySelector(".no-messages").hidden = list.children.length > 0;
  updateReplyKeyboard(pane);
  list.scrollTop = list.scrollHeight;
}

// --- messages --------------------------------------------------------------------------


function formatTime(seconds) {
  if (!seconds) return "";
  const date = new Date(seconds * 1000);
  return date.toLocaleTimeString(state.language.replace("_", "-"), {
    hour: "2-digit",
    minute: "2-digit",
  });
}

function messageElement(pane, message) {
  const item = document.createElement("li");
  item.className = "msg " + message.side;
  item.dataset.messageId = String(message.id);
  item.dataset.side = message.side;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (message.side === "person" && message.sender && person(pane.personId)?.is_group) {
    const sender = document.createElement("p");
    sender.className = "sender";
    sender.textContent = message.sender;
    bubble.append(sender);
  }
  if (message.photo) {
    const image = document.createElement("img");
    image.className = "photo";
    image.src = message.photo;
    image.alt = t("Photo");
    image.loading = "lazy";
    image.addEventListener("load", () => {
      const list = pane.element.querySelector(".messages");
      list.scrollTop = list.scrollHeight;
    });
    bubble.append(image);
  }
  if (message.document) {
    const link = document.createElement("a");
    link.className = "document";
    link.href = message.document.url || "#";
    link.download = message.document.name;
    const name = document.createElement("span");
    name.className = "document-name";
    name.textContent = message.document.name;
    const action = document.createElement("span");
    action.className = "document-action";
    const size = message.document.size ? " · " + Math.ceil(message.document.size / 1024) + " KB" : "";
    action.textContent = t("Download") + size;
    link.append(name, action);
    bubble.append(link);
  }
  if (message.location) {
    const location = document.createElement("p");
    location.className = "location";
    location.textContent =
      "📍 " + t("Location") + ": " + message.location.latitude + ", " + message.location.longitude;
    bubble.append(location);
  }
  if (message.text) {
    const text = document.createElement("div");
    text.className = "text";
    text.append(renderText(message.text, message.entities, (command) => sendText(pane, command)));
    bubble.append(text);
  }
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.textContent = (message.edited ? t("edited") + " · " : "") + formatTime(message.date);
  bubble.append(meta);
  item.append(bubble);
  if (message.buttons && message.buttons.length) {
    const keyboard = document.createElement("div");
    keyboard.className = "keyboard";
    keyboard.setAttribute("role", "group");
    for (const row of message.buttons) {
      const line = document.createElement("div");
      line.className = "keyboard-row";
      for (const button of row) line.append(inlineButton(pane, message.id, button));
      keyboard.append(line);
    }
    item.append(keyboard);
  }
  if (message.keyboard !== null && message.keyboard !== undefined) {
    item.dataset.replyKeyboard = JSON.stringify(message.keyboard);
  }
  return item;
}

function inlineButton(pane, messageId, button) {
  if (button.url && !button.data) {
    return linkTo(button.url, document.createTextNode(button.text));
  }
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = button.text;
  if (button.data) element.dataset.callback = button.data;
  element.addEventListener("click", async () => {
    if (!button.data) return;
    element.disabled = true;
    try {
      await api("POST", "/api/chats/" + pane.personId + "/taps", {
        message_id: messageId,
        data: button.data,
      });
    } catch (error) {
      showToast(pane, t("Something went wrong: the sandbox did not accept that."));
    } finally {
      element.disabled = false;
    }
  });
  return element;
}

function updateReplyKeyboard(pane) {
  const area = pane.element.querySelector(".reply-keyboard");
  const carriers = pane.element.querySelectorAll(".messages li[data-reply-keyboard]");
  const last = carriers[carriers.length - 1];
  const rows = last ? JSON.parse(last.dataset.replyKeyboard) : [];
  area.replaceChildren();
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "keyboard-row";
    for (const text of row) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = text;
      button.addEventListener("click", () => sendText(pane, text));
      line.append(button);
    }
    area.append(line);
  }
  area.hidden = rows.length === 0;
}

// --- events ----------------------------------------------------------------------------

function applyEvent(pane, event) {
  const list = pane.element.querySelector(".messages");
  if (event.type === "sent" || event.type === "edited" || event.type === "person") {
    const fresh = messageElement(pane, event.message);
    const old = list.querySelector(`li[data-message-id="${event.message.id}"]`);
    if (old) {
      old.replaceWith(fresh);
    } else {
      const later = [...list.children].find((li) => Number(li.dataset.messageId) > event.message.id);
      if (later) later.before(fresh);
      else list.append(fresh);
    }
  } else if (event.type === "deleted") {
    const old = list.querySelector(`li[data-message-id="${event.message_id}"]`);
    if (old) old.remove();
  } else if (event.type === "answered") {
    if (event.text && event.show_alert) showAlert(event.text);
    else if (event.text) showToast(pane, event.text);
    return;
  } else if (event.type === "refused") {
    showBanner(pane, event);
    return;
  }
  afterChange(pane);
}

function onEvent(message) {
  let event;
  try {
    event = JSON.parse(message.data);
  } catch (error) {
    return;
  }
  if (event.type === "reset") {
    reloadEverything(t("The sandbox was reset."));
    return;
  }
  if (event.type === "overflow") {
    reloadEverything(null);
    return;
  }
  let shown = false;
  for (const pane of state.panes) {
    if (!pane || pane.personId !== event.chat_id) continue;
    shown = true;
    if (pane.loading) pane.pending.push(event);
    else applyEvent(pane, event);
  }
  // A refusal in a chat nobody has open (or about no chat: a menu, the bot itself) must not
  // pass unseen: it goes to the banner above the chats.
  if (event.type === "refused" && !shown) showElsewhere(event);
}

async function reloadEverything(notice) {
  await loadPeople();
  for (const pane of state.panes) {
    if (!pane) continue;
    fillPaneHead(pane);
    await loadPane(pane);
    if (notice) showToast(pane, notice);
  }
}

function connectEvents() {
  const source = new EventSource("/api/events");
  state.events = source;
  source.addEventListener("open", () => {
    document.getElementById("connection").hidden = true;
    document.body.dataset.events = "open";
    if (state.eventsOpened) reloadEverything(null); // events may have been missed meanwhile
    state.eventsOpened = true;
  });
  source.addEventListener("error", () => {
    document.body.dataset.events = "lost";
    document.getElementById("connection").hidden = false;
  });
  source.addEventListener("message", onEvent);
}

// --- notices ---------------------------------------------------------------------------


function refusalText(refusal) {
  return (
    t("Telegram refused a call of the bot in this chat:") +
    " " + refusal.method + " — " + refusal.status + " " + refusal.description
  );
}

function refusalKey(refusal) {
  return [refusal.method, refusal.status, refusal.description].join(" ");
}

// The banner lists each refused call on its own line (a second refusal must not hide the
// first one from the trainer), the oldest dropped past REFUSALS_SHOWN.
const REFUSALS_SHOWN = 5;

function showBanner(pane, refusal) {
  pane.refusals = (pane.refusals || []).concat([refusal]).slice(-REFUSALS_SHOWN);
  drawBanner(pane);
}

function drawBanner(pane) {
  const refusals = pane.refusals || [];
  const last = refusals[refusals.length - 1];
  pane.shownRefusal = last ? refusalKey(last) : null;
  const banner = pane.element.querySelector(".banner");
  banner.querySelector(".banner-text").replaceChildren(
    ...refusals.map((refusal) => {
      const line = document.createElement("span");
      line.className = "banner-line";
      line.textContent = refusalText(refusal);
      return line;
    }),
  );
  banner.hidden = refusals.length === 0;
}


function showElsewhere(refusal) {
  const who = refusal.chat_id === null ? null : person(refusal.chat_id);
  const where = who ? who.name : refusal.chat_id === null ? "" : String(refusal.chat_id);
  const line = document.createElement("span");
  line.className = "banner-line";
  line.textContent =
    t("Telegram refused a call of the bot outside the open chats:") +
    " " + (where ? where + " — " : "") +
    refusal.method + " — " + refusal.status + " " + refusal.description;
  const banner = document.getElementById("refused-elsewhere");
  const text = banner.querySelector(".banner-text");
  text.append(line);
  while (text.children.length > REFUSALS_SHOWN) text.firstElementChild.remove();
  banner.hidden = false;
}


// --- start -----------------------------------------------------------------------------

async function start() {
  await loadTexts();
  await loadPeople();
  connectEvents();
  document.querySelector("#refused-elsewhere .banner-dismiss").addEventListener("click", () => {
    const banner = document.getElementById("refused-elsewhere");
    banner.querySelector(".banner-text").replaceChildren();
    banner.hidden = true;
  });
  document.getElementById("people-toggle").addEventListener("click", () => {
    setPeopleOpen(!document.body.classList.contains("people-open"));
  });
  document.getElementById("ui-language").addEventListener("change", async (event) => {
    window.localStorage.setItem("sandbox-ui-language", event.target.value);
    await loadTexts();
    await reloadEverything(null);
    for (const pane of state.panes) if (pane) applyTexts(pane.element);
  });
  document.getElementById("reset").addEventListener("click", async () => {
    if (!window.confirm(t("Start the sandbox over? Every chat and report made here is deleted."))) {
      return;
    }
    const button = document.getElementById("reset");
    button.disabled = true;
    try {
      await api("POST", "/api/reset", {});
      await reloadEverything(t("The sandbox was reset."));
    } catch (error) {
      window.alert(t("Something went wrong: the sandbox did not accept that."));
    } finally {
      button.disabled = false;
    }
  });
  setPeopleOpen(PHONE.matches && !state.panes[0]);
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", start);
