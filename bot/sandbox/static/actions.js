// Acting as the person: typing, the command menu, a location, a photo, the app's language.

import { PHOTO_LIMIT, api, person, showToast, state, t } from "./core.js";

// --- acting as the person --------------------------------------------------------------

export async function sendText(pane, text) {
  if (!text.trim()) return false;
  try {
    await api("POST", "/api/chats/" + pane.personId + "/messages", { text });
    return true;
  } catch (error) {
    showToast(pane, t("Something went wrong: the sandbox did not accept that."));
    return false;
  }
}

function togglePanel(pane, which, button) {
  const panel = pane.element.querySelector(which);
  const opening = panel.hidden;
  for (const other of pane.element.querySelectorAll(".panel")) other.hidden = true;
  for (const other of pane.element.querySelectorAll(".composer [aria-expanded]")) {
    other.setAttribute("aria-expanded", "false");
  }
  panel.hidden = !opening;
  button.setAttribute("aria-expanded", String(opening));
  if (opening) {
    const first = panel.querySelector("button, input");
    if (first) first.focus();
  }
  return opening;
}

export function closePanels(pane) {
  for (const panel of pane.element.querySelectorAll(".panel")) panel.hidden = true;
  for (const button of pane.element.querySelectorAll(".composer [aria-expanded]")) {
    button.setAttribute("aria-expanded", "false");
  }
}

async function openMenu(pane, button) {
  const list = pane.element.querySelector(".menu-list");
  list.replaceChildren();
  if (!togglePanel(pane, ".menu-panel", button)) return;
  let commands = [];
  try {
    commands = (await api("GET", "/api/chats/" + pane.personId + "/commands")).commands;
  } catch (error) {
    showToast(pane, t("Something went wrong: the sandbox did not accept that."));
  }
  for (const command of commands) {
    const item = document.createElement("li");
    const choice = document.createElement("button");
    choice.type = "button";
    choice.dataset.command = command.command;
    const name = document.createElement("span");
    name.className = "command-name";
    name.textContent = "/" + command.command;
    const description = document.createElement("span");
    description.className = "command-description";
    description.textContent = command.description;
    choice.append(name, description);
    choice.addEventListener("click", () => {
      closePanels(pane);
      sendText(pane, "/" + command.command);
    });
    item.append(choice);
    list.append(item);
  }
  pane.element.querySelector(".menu-empty").hidden = commands.length > 0;
  const first = list.querySelector("button");
  if (first) first.focus();
}

async function sendLocation(pane, latitude, longitude) {
  try {
    await api("POST", "/api/chats/" + pane.personId + "/locations", { latitude, longitude });
    closePanels(pane);
  } catch (error) {
    showToast(pane, t("Something went wrong: the sandbox did not accept that."));
  }
}

function openLocations(pane, button) {
  const list = pane.element.querySelector(".place-list");
  list.replaceChildren();
  const p = person(pane.personId);
  for (const place of (p && p.places) || []) {
    const item = document.createElement("li");
    const choice = document.createElement("button");
    choice.type = "button";
    choice.className = "place";
    choice.textContent = place.label;
    choice.addEventListener("click", () => sendLocation(pane, place.latitude, place.longitude));
    item.append(choice);
    list.append(item);
  }
  togglePanel(pane, ".location-panel", button);
}

async function isPhoto(file) {
  const bytes = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  const starts = (...values) => values.every((v, i) => bytes[i] === v);
  if (starts(0xff, 0xd8, 0xff)) return true;
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return true;
  const ascii = (from, to) => String.fromCharCode(...bytes.slice(from, to));
  return ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP";
}

async function sendPhoto(pane, file) {
  if (file.size > PHOTO_LIMIT) {
    showToast(pane, t("The photo is larger than 10 MB."));
    return;
  }
  if (!(await isPhoto(file))) {
    showToast(pane, t("Only JPEG, PNG or WebP photos can be sent."));
    return;
  }
  try {
    await api("POST", "/api/chats/" + pane.personId + "/photos", undefined, file);
  } catch (error) {
    showToast(pane, t("Something went wrong: the sandbox did not accept that."));
  }
}

export function wireComposer(pane, onLanguageChanged) {
  const element = pane.element;
  const form = element.querySelector(".composer");
  const input = element.querySelector(".composer-input");
  const submit = async () => {
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    if (!(await sendText(pane, text))) input.value = text;
    input.focus();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  const menu = element.querySelector(".menu");
  menu.addEventListener("click", () => openMenu(pane, menu));
  const share = element.querySelector(".share-location");
  share.addEventListener("click", () => openLocations(pane, share));
  element.querySelector(".send-location").addEventListener("click", () => {
    const latitude = Number.parseFloat(element.querySelector(".latitude").value);
    const longitude = Number.parseFloat(element.querySelector(".longitude").value);
    if (Number.isFinite(latitude) && Number.isFinite(longitude)) {
      sendLocation(pane, latitude, longitude);
    }
  });
  for (const close of element.querySelectorAll(".panel-close")) {
    close.addEventListener("click", () => {
      closePanels(pane);
      input.focus();
    });
  }
  element.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closePanels(pane);
  });
  const photoInput = element.querySelector(".photo-input");
  element.querySelector(".attach").addEventListener("click", () => photoInput.click());
  photoInput.addEventListener("change", () => {
    const file = photoInput.files && photoInput.files[0];
    photoInput.value = "";
    if (file) sendPhoto(pane, file);
  });
  element.querySelector(".banner-dismiss").addEventListener("click", () => {
    // A reload of the chat shows only the refusals that came after this one.
    state.dismissed[pane.personId] = pane.shownRefusal;
    pane.refusals = [];
    element.querySelector(".banner").hidden = true;
  });
  element.querySelector(".tg-language").addEventListener("change", async (event) => {
    try {
      await api("POST", "/api/chats/" + pane.personId + "/language", {
        language: event.target.value,
      });
      await onLanguageChanged();
    } catch (error) {
      showToast(pane, t("Something went wrong: the sandbox did not accept that."));
    }
  });
}
