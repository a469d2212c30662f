"""vCards (2.1, 3.0, 4.0) and MECARDs: content lines, escapes, folding, quoted-printable, embedded media.
Pure; tolerant of what badge printers and phones write."""

from __future__ import annotations

import quopri
import re

from tracker.badges.fields import (
    ParsedBadge,
    _build,
    _clean,
    _country,
    _id,
    _looks_like_id,
    _Params,
    _split_name,
)

_VCARD = re.compile(r"BEGIN[ \t]*:[ \t]*VCARD", re.I)


_VCARD_END = re.compile(r"(?:^|[\r\n]|\\[nr])[ \t]*END[ \t]*:[ \t]*VCARD", re.I)  # \\n: stored escaped


# A content line embedding media (a photo, logo, sound or key), after an optional group prefix.
_MEDIA_LINE = re.compile(r"(?:[A-Za-z0-9-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]", re.I)


_BASE64_LINE = re.compile(r"[A-Za-z0-9+/=]+")


_HEAD = re.compile(r'((?:[^:"]|"[^"]*")*):')  # a content line's name and parameters; quoted colons allowed


_ID_PROPERTY = re.compile(
    r"X-ID|X(?:-\w+)*-(?:BADGE|ATTENDEE|REG|REGISTRATION|TICKET|DELEGATE|PARTICIPANT)(?:ID)?(?:-\w+)*",
    re.I | re.A,
)


_NOTE_ID = re.compile(
    r"\b(?:badge|attendee|registration|reg|ticket|delegate|participant)\b\s*(?:id|no|number|code|#)?\.?\s*[:#=]?"
    r"\s*([A-Za-z0-9][\w.:/-]*)",
    re.I | re.A,
)


_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", ":": ":", "\\": "\\"}


def without_media(payload: str) -> str:
    """A vCard without the photo, logo, sound or key embedded in it; other payloads as they are.

    Embedded media (base64, often tens of kilobytes) say nothing of who the person is, would push a
    card over the size limit, and are personal data nobody needs: they go before the payload is
    measured or kept. Every other line, line breaks included, stays as it was.
    """
    if not isinstance(payload, str) or not _VCARD.search(payload[:200]):
        return payload
    kept: list[str] = []
    skipping = base64_body = False
    for line in payload.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if skipping and (body[:1] in (" ", "\t") or (base64_body and body and _BASE64_LINE.fullmatch(body))):
            continue  # a folded continuation of the media line, or vCard 2.1 base64 running on
        skipping = bool(_MEDIA_LINE.match(body))
        if skipping:
            head = body.split(":", 1)[0].upper()
            base64_body = "BASE64" in head or "ENCODING=B" in head
            continue
        kept.append(line)
    return "".join(kept)


def _split(text: str, sep: str, maxsplit: int = -1) -> list[str]:
    """Split on `sep` where it is not backslash-escaped; escapes are kept for _unescape."""
    parts, start, i = [], 0, 0
    while i < len(text) and maxsplit != 0:
        if text[i] == sep:
            parts.append(text[start:i])
            start, maxsplit = i + 1, maxsplit - 1
        i += 2 if text[i] == "\\" else 1
    return [*parts, text[start:]]


def _unescape(text: str) -> str:
    """Resolve vCard/MECARD backslash escapes (\\, \\; \\: \\\\ \\n); unknown escapes are kept."""
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text, flags=re.S)


def _note_id(note: str) -> str:
    """A registration id written in an (unescaped) note ("Reg ID: KCEU24-1"), or a note that is only an id."""
    text = note.strip()
    if _looks_like_id(text):
        return text
    found = (m.group(1).rstrip(".:/-") for m in _NOTE_ID.finditer(text))
    return next((c for c in found if any(ch.isdigit() for ch in c)), "")


def _logical_lines(text: str) -> list[str]:
    """Unfold physical lines (RFC 6350 §3.2) and join vCard 2.1 quoted-printable soft breaks."""
    if "\n" not in text and "\r" not in text:
        text = text.replace("\\r\\n", "\n").replace("\\n", "\n")  # a payload stored with escaped newlines
    lines: list[str] = []
    for line in re.split(r"\r*\n|\r", text):
        if lines and lines[-1].endswith("=") and "QUOTED-PRINTABLE" in lines[-1].split(":", 1)[0].upper():
            lines[-1] += "\n" + line
        elif lines and line[:1] in (" ", "\t"):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def _content_line(line: str) -> tuple[str, _Params, str] | None:
    """Split `group.NAME;PARAM=a,b:value` into (NAME, params, decoded value); None without a colon."""
    match = _HEAD.match(line) or re.match(r"([^:]*):", line)
    if match is None:
        return None
    name, *raw_params = match.group(1).split(";")
    params: _Params = {}
    for raw in raw_params:
        key, eq, val = raw.partition("=")
        key, val = (key, val) if eq else ("TYPE", key)  # vCard 2.1 bare parameters: TEL;CELL;PREF
        values = (v.strip().strip('"').lower() for v in val.split(","))
        params.setdefault(key.strip().upper(), []).extend(v for v in values if v)
    value = line[match.end() :]
    if "quoted-printable" in params.get("ENCODING", []) + params.get("TYPE", []):
        value = _decode_bytes(quopri.decodestring(value.encode("utf-8", "replace")), params.get("CHARSET"))
    return name.rsplit(".", 1)[-1].strip().upper(), params, value


def _decode_bytes(raw: bytes, charset: list[str] | None) -> str:
    """Quoted-printable bytes as text: in the declared charset, else UTF-8, else Windows-1252.

    vCard 2.1 cards written without a CHARSET (older phones, badge printers) carry their platform's
    8-bit encoding; Windows-1252 decodes every byte, so a name is never turned into replacement marks.
    """
    for encoding in (*(charset or ())[:1], "utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("latin-1")


def _rank(params: _Params) -> int:
    """Preference rank: PREF=n (4.0) or TYPE=pref (3.0/2.1) first, unranked last."""
    pref = params.get("PREF", ["101"])[0]
    return min(int(pref) if pref.isdigit() else 101, 1 if "pref" in params.get("TYPE", []) else 101)


def _vcard(text: str) -> ParsedBadge:
    """Parse a vCard 2.1/3.0/4.0, tolerating a missing END and odd line endings."""
    props: dict[str, list[tuple[int, int, _Params, str]]] = {}
    for index, line in enumerate(_logical_lines(text)):
        parsed = _content_line(line)
        if parsed is None or parsed[0] == "BEGIN" or {"b", "base64"} & set(parsed[1].get("ENCODING", [])):
            continue
        if parsed[0] == "END":
            break
        props.setdefault(parsed[0], []).append((_rank(parsed[1]), index, parsed[1], parsed[2]))

    def values(name: str) -> list[tuple[_Params, str]]:
        return [(p, v) for _, _, p, v in sorted(props.get(name, []), key=lambda e: e[:2])]

    def first(name: str, component: int = -1) -> str:
        for _, value in values(name):
            part = _unescape(value if component < 0 else (_split(value, ";") + [""] * component)[component])
            if _clean(part):
                return part
        return ""

    given = family = ""
    for _, value in values("N"):
        parts = [" ".join(_unescape(x) for x in _split(c, ",")) for c in _split(value, ";")] + ["", ""]
        family, given = parts[0], parts[1]
        if _clean(family + given):
            break
    if not _clean(family + given):
        given, family = _split_name(first("FN"))
    city = country = ""
    for params, value in values("ADR"):
        parts = [_unescape(c) for c in _split(value, ";")] + [""] * 7
        city, country = parts[3], parts[6] or (params.get("CC") or [""])[0]
        if _clean(city) or _country(country):
            break
    ids = [_unescape(v) for n in props if _ID_PROPERTY.fullmatch(n) for _, v in values(n)]
    ids += [_unescape(v) for _, v in values("UID")] + [_note_id(_unescape(v)) for _, v in values("NOTE")]
    return _build(
        "vcard",
        badge_id=next((i for i in ids if _id(i)), ""),
        display_name=first("FN"),
        first=given,
        last=family,
        emails=[_unescape(v) for _, v in values("EMAIL")],
        phone=first("TEL"),
        title=first("TITLE"),
        company=first("ORG", 0),
        country=country,
        city=city,
    )


def _mecard(body: str) -> ParsedBadge:
    """Parse a MECARD body (`N:Last,First;EMAIL:...;;`); the trailing `;;` is optional."""
    fields: dict[str, list[str]] = {}
    for item in _split(body, ";"):
        parts = _split(item, ":", 1)
        if len(parts) == 2:
            fields.setdefault(parts[0].strip().upper(), []).append(parts[1])

    def get(key: str) -> str:
        return _unescape(fields.get(key, [""])[0])

    names = _split(fields.get("N", [""])[0], ",")
    given, last = (_unescape(names[1]), _unescape(names[0])) if len(names) > 1 else _split_name(get("N"))
    # ADR is "PO box,room,street,city,state,zip,country" when complete; else only a country is guessed.
    address = [_unescape(c) for c in _split(fields.get("ADR", [""])[0], ",")]
    city, country = (address[3], address[6]) if len(address) == 7 else ("", address[-1])
    ids = [get(k) for k in fields if _ID_PROPERTY.fullmatch(k)]
    ids += [get("UID"), get("ID"), _note_id(get("NOTE"))]
    return _build(
        "mecard",
        badge_id=next((i for i in ids if _id(i)), ""),
        first=given,
        last=last,
        emails=[_unescape(e) for e in fields.get("EMAIL", [])],
        phone=get("TEL"),
        title=get("TITLE"),
        company=get("ORG"),
        country=country,
        city=city,
    )
