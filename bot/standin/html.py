"""Telegram's HTML parse mode, re-implemented so the stand-in rejects what Telegram rejects.

This follows tdlib's ``parse_html`` (td/telegram/MessageEntity.cpp), which is what the Bot API
server runs: the same tags, the same attribute rules, the same error wording and UTF-8 byte
offsets, and the same entities (offsets and lengths in UTF-16 code units).

One deliberate difference, on by default (``strict_ampersand``): Telegram keeps an ``&`` that does
not start one of its entities as a literal character. The stand-in rejects it instead, because a
bare ``&`` in a message almost always means user text was not escaped, and the same code path
breaks in production as soon as somebody types ``<``. Pass ``strict_ampersand=False`` for
Telegram's exact behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SUPPORTED_TAGS",
    "HtmlParseError",
    "ParsedText",
    "parse_html",
    "utf16_len",
    "visible_text",
]

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

_SIMPLE_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}

# tdlib sorts entities by offset, then longer first, then by this priority.
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}

_NAMED = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
_LINK_SCHEMES = ("http", "https", "tg", "ton")

_AMP, _LT, _GT, _SLASH = ord("&"), ord("<"), ord(">"), ord("/")
_EQ, _DQ, _SQ, _DOT, _MINUS, _SEMI, _HASH = (ord(c) for c in "=\"'.-;#")
_SPACES = frozenset(b" \t\r\n\v\x00")  # tdlib's is_space, where NUL (end of text) counts too


class HtmlParseError(ValueError):
    """Telegram's "can't parse entities" failure; ``detail`` is the part after that prefix."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def description(self) -> str:
        """The full Bot API error description, as a 400 answer carries it."""
        return f"Bad Request: can't parse entities: {self.detail}"


@dataclass
class ParsedText:
    """Visible text plus Bot API ``MessageEntity`` dicts (UTF-16 offsets)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16 offset in the visible text where the tag opened
    out_pos: int  # byte position in the output where the tag opened


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: how Telegram measures text limits and entity offsets."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def visible_text(html: str, *, strict_ampersand: bool = True) -> str:
    """The text a user would see, or :class:`HtmlParseError` where Telegram would refuse it."""
    return parse_html(html, strict_ampersand=strict_ampersand).text


def _is_alpha(c: int) -> bool:
    return ord("a") <= (c | 0x20) <= ord("z")


def _is_digit(c: int) -> bool:
    return ord("0") <= c <= ord("9")


def _is_hex(c: int) -> bool:
    return _is_digit(c) or ord("a") <= (c | 0x20) <= ord("f")


def _decode_entity(data: bytes, pos: int) -> tuple[int, int]:
    """Decode the character reference at ``pos``; ``(0, pos)`` when it is none Telegram knows."""
    n = len(data)

    def at(k: int) -> int:
        return data[k] if k < n else 0

    end = pos + 1
    code = 0
    if at(pos + 1) == _HASH:
        end += 1
        if at(pos + 2) == ord("x"):
            end += 1
            while _is_hex(at(end)):
                code = code * 16 + int(chr(at(end)), 16)
                end += 1
        else:
            while _is_digit(at(end)):
                code = code * 10 + at(end) - ord("0")
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while _is_alpha(at(end)):
            end += 1
        code = _NAMED.get(data[pos + 1 : end], 0)
        if code == 0:
            return 0, pos
    if at(end) == _SEMI:
        end += 1
    return code, end


def _checked_link(url: str) -> str | None:
    """Roughly tdlib's ``get_checked_link``: add a missing scheme, drop what is no link."""
    url = url.strip()
    if not url or any(c.isspace() for c in url):
        return None
    scheme, sep, rest = url.partition(":")
    if not sep or not scheme.isalpha() or (not rest.startswith("//") and scheme.lower() != "tg"):
        url, scheme = f"http://{url}", "http"
    return url if scheme.lower() in _LINK_SCHEMES else None


def parse_html(html: str, *, strict_ampersand: bool = True) -> ParsedText:
    """Parse Telegram HTML into visible text and entities, or raise :class:`HtmlParseError`.

    The text is not trimmed here; the Bot API trims surrounding whitespace afterwards.
    """
    data = html.encode("utf-8", "surrogatepass")
    n = len(data)

    def at(k: int) -> int:
        return data[k] if k < n else 0

    def name(start: int, stop: int) -> str:
        return data[start:stop].lower().decode("utf-8", "replace")

    out = bytearray()
    utf16 = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < n:
        c = data[i]
        if c == _AMP:
            code, after = _decode_entity(data, i)
            if code:
                if 0xD800 <= code <= 0xDFFF:
                    raise HtmlParseError(
                        "Text contains invalid Unicode characters after decoding HTML entities, "
                        "check for unmatched surrogate code units"
                    )
                out += chr(code).encode("utf-8")
                utf16 += 2 if code > 0xFFFF else 1
                i = after
                continue
            if strict_ampersand:
                raise HtmlParseError(f"Character entity expected at byte offset {i}")
        if c != _LT:
            if c & 0xC0 != 0x80:  # first byte of a character; 4-byte ones are surrogate pairs
                utf16 += 2 if c >= 0xF0 else 1
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != _SLASH:
            while at(i) not in _SPACES and at(i) != _GT:
                i += 1
            if at(i) == 0:
                raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
            tag = name(begin + 1, i)
            if tag not in SUPPORTED_TAGS:
                raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while at(i) != _GT:
                while at(i) != 0 and at(i) in _SPACES:
                    i += 1
                if at(i) == _GT:
                    break
                attr_begin = i
                while at(i) not in _SPACES and at(i) not in (_EQ, _GT, _SLASH, _DQ, _SQ):
                    i += 1
                attribute = data[attr_begin:i]
                if not attribute:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while at(i) != 0 and at(i) in _SPACES:
                    i += 1
                if at(i) != _EQ:
                    if at(i) == 0:
                        raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    if tag == "blockquote" and attribute == b"expandable":
                        argument = "1"
                    continue
                i += 1
                while at(i) != 0 and at(i) in _SPACES:
                    i += 1
                if at(i) == 0:
                    raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if at(i) not in (_DQ, _SQ):
                    token_begin = i
                    while _is_alpha(at(i)) or _is_digit(at(i)) or at(i) in (_DOT, _MINUS):
                        i += 1
                    value = name(token_begin, i)
                    if at(i) not in _SPACES and at(i) != _GT:
                        raise HtmlParseError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    raw = bytearray()
                    while at(i) != quote and at(i) != 0:
                        if at(i) == _AMP:
                            code, after = _decode_entity(data, i)
                            if code:
                                raw += chr(code).encode("utf-8", "surrogatepass")
                                i = after
                                continue
                        raw.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = raw.decode("utf-8", "replace")
                if at(i) == 0:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and attribute == b"href":
                    argument = value
                elif tag == "code" and attribute == b"class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attribute == b"class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attribute == b"emoji-id":
                    argument = value
                elif tag == "blockquote" and attribute == b"expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            stack.append(_Open(tag, argument, utf16, len(out)))
        else:
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
            while at(i) not in _SPACES and at(i) != _GT:
                i += 1
            end_tag = name(begin + 2, i)
            while at(i) != 0 and at(i) in _SPACES:
                i += 1
            if at(i) != _GT:
                raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
            top = stack[-1]
            if end_tag and end_tag != top.tag:
                raise HtmlParseError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{top.tag}>", '
                    f'found "</{end_tag}>"'
                )
            if utf16 > top.offset:
                _close(top, utf16 - top.offset, out, entities)
            stack.pop()
        i += 1  # past the '>'

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50)))
    return ParsedText(out.decode("utf-8", "surrogatepass"), entities)


def _close(top: _Open, length: int, out: bytearray, entities: list[dict[str, Any]]) -> None:
    """Turn a closed tag into its entity, merging <pre><code class=...> the way tdlib does."""
    offset, tag, argument = top.offset, top.tag, top.argument
    last = entities[-1] if entities else None
    same_span = last is not None and last["offset"] == offset and last["length"] == length
    if tag in _SIMPLE_ENTITY:
        entities.append({"type": _SIMPLE_ENTITY[tag], "offset": offset, "length": length})
    elif tag == "tg-emoji":
        try:
            emoji_id = int(argument)
        except ValueError:
            emoji_id = 0
        if emoji_id == 0:
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entities.append(
            {
                "type": "custom_emoji",
                "offset": offset,
                "length": length,
                "custom_emoji_id": argument,
            }
        )
    elif tag == "a":
        url = _checked_link(argument or out[top.out_pos :].decode("utf-8", "replace"))
        if url is not None:
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
    elif tag == "pre":
        if last is not None and same_span and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag == "code":
        if last is not None and same_span and last["type"] == "pre" and argument:
            last["language"] = argument
        else:
            entity: dict[str, Any] = {"type": "code", "offset": offset, "length": length}
            if argument:
                entity["language"] = argument  # dropped at the end unless a <pre> claims it
            entities.append(entity)
    else:  # blockquote
        kind = "expandable_blockquote" if argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})
