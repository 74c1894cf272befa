// The bot's text drawn from Telegram entities: never parsed as HTML, every piece of text set
// with textContent. Entity offsets count UTF-16 code units, as JavaScript strings do.

const SAFE_LINK = /^(https?:|mailto:|tg:)/i;

export function linkTo(url, children) {
  let href = null;
  try {
    const parsed = new URL(url);
    if (SAFE_LINK.test(parsed.protocol)) href = parsed.href;
  } catch (error) {
    href = null;
  }
  if (!href) {
    const span = document.createElement("span");
    span.append(children);
    return span;
  }
  const link = document.createElement("a");
  link.href = href;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.append(children);
  return link;
}

function entityElement(entity, text, onCommand, inner) {
  const tags = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code" };
  if (tags[entity.type]) {
    const element = document.createElement(tags[entity.type]);
    element.append(inner);
    return element;
  }
  switch (entity.type) {
    case "pre": {
      const pre = document.createElement("pre");
      const code = document.createElement("code");
      if (entity.language) code.dataset.language = String(entity.language);
      code.append(inner);
      pre.append(code);
      return pre;
    }
    case "text_link":
      return linkTo(String(entity.url || ""), inner);
    case "url":
      return linkTo(/^[a-z]+:/i.test(text) ? text : "https://" + text, inner);
    case "spoiler": {
      const spoiler = document.createElement("span");
      spoiler.className = "spoiler";
      spoiler.tabIndex = 0;
      spoiler.setAttribute("role", "button");
      const reveal = () => spoiler.classList.add("revealed");
      spoiler.addEventListener("click", reveal);
      spoiler.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") reveal();
      });
      spoiler.append(inner);
      return spoiler;
    }
    case "blockquote":
    case "expandable_blockquote": {
      const quote = document.createElement("blockquote");
      quote.append(inner);
      return quote;
    }
    case "bot_command": {
      if (!onCommand) break;
      const command = document.createElement("button");
      command.type = "button";
      command.className = "inline-command";
      command.append(inner);
      command.addEventListener("click", () => onCommand(text));
      return command;
    }
    default:
      break;
  }
  const span = document.createElement("span");
  span.className = "entity-" + String(entity.type).replace(/[^a-z_]/g, "");
  span.append(inner);
  return span;
}

// Build text with nested entities: each entity holds the ones inside it. ``onCommand(text)``
// runs when a /command in the text is tapped (none: commands are plain text).
export function renderText(text, entities, onCommand) {
  const sorted = (entities || [])
    .filter((e) => Number.isInteger(e.offset) && Number.isInteger(e.length) && e.length > 0)
    .slice()
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  function build(start, end, list) {
    const fragment = document.createDocumentFragment();
    let position = start;
    let index = 0;
    while (index < list.length) {
      const entity = list[index];
      const from = Math.max(entity.offset, position);
      const to = Math.min(entity.offset + entity.length, end);
      const inside = [];
      index += 1;
      while (index < list.length && list[index].offset < entity.offset + entity.length) {
        inside.push(list[index]);
        index += 1;
      }
      if (to <= from) continue;
      if (from > position) fragment.append(document.createTextNode(text.slice(position, from)));
      const inner = build(from, to, inside);
      fragment.append(entityElement(entity, text.slice(from, to), onCommand, inner));
      position = to;
    }
    if (position < end) fragment.append(document.createTextNode(text.slice(position, end)));
    return fragment;
  }
  return build(0, text.length, sorted);
}
