"""Parse a raw scanned badge payload (vCard, MECARD, JSON, URL or bare id) into a ParsedBadge; never raises."""

from __future__ import annotations

import json
import quopri
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

# The longest payload kept (and parsed), once embedded media are taken out (see without_media): a QR code
# holds at most 7,089 characters, so a longer one is not a badge.
MAX_PAYLOAD = 8192
_Params = dict[str, list[str]]


@dataclass(frozen=True)
class ParsedBadge:
    """What one badge payload says about its attendee; empty where it says nothing."""

    format: str
    badge_id: str = ""
    display_name: str = (
        ""  # the name as the person writes it (a vCard's FN): "佐藤花子", "Dr. Maren Holt, PhD"
    )
    first_name: str = ""
    last_name: str = ""
    emails: tuple[str, ...] = ()
    phone: str = ""
    title: str = ""
    company: str = ""
    country: str = ""
    city: str = ""

    @property
    def email(self) -> str:
        """The preferred (first) email, or ""."""
        return self.emails[0] if self.emails else ""

    @property
    def has_identity(self) -> bool:
        """True when the badge carries a registration id, an email or a name."""
        return bool(self.badge_id or self.emails or self.first_name or self.last_name)


_UNKNOWN = ParsedBadge(format="unknown")
# A vCard without its END line: cut off by the code or the scanner, so what it says may be cut off too
# (an email's domain, a name). Kept raw for review, never trusted.
_TRUNCATED = ParsedBadge(format="truncated")
_ISO2 = frozenset(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA "
    "CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR "
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM "
    "JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP "
    "MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
    "QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN "
    "TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW".split()
)
# Common country names, native names, 3-letter codes and aliases -> ISO-2 ("CODE alias,alias|...").
_COUNTRIES = {
    alias: code
    for entry in (
        "FR france,fra,république française|DE germany,deutschland,deu,ger,allemagne|US united states,usa,america,"
        "united states of america,états-unis|GB united kingdom,uk,gbr,great britain,britain,england,scotland,wales,"
        "northern ireland|ES spain,españa,esp|IT italy,italia,ita|NL netherlands,nederland,holland,nld|JP japan,"
        "日本,jpn|IN india,ind|CA canada,can|PL poland,polska,pol|SE sweden,sverige,swe|BE belgium,belgique,belgië,"
        "bel|CH switzerland,schweiz,suisse,svizzera,che|AT austria,österreich,aut|IE ireland,irl|PT portugal,prt|"
        "DK denmark,danmark,dnk|NO norway,norge,nor|FI finland,suomi,fin|CZ czechia,czech republic,česko,cze|"
        "BR brazil,brasil,bra|MX mexico,méxico,mex|AU australia,aus|NZ new zealand,nzl|CN china,中国,chn|"
        "KR south korea,korea,republic of korea,대한민국,kor|SG singapore,sgp|IL israel,isr|TR turkey,türkiye,tur|"
        "UA ukraine,україна,ukr|RO romania,românia,rou|GR greece,ελλάδα,grc|HU hungary,magyarország,hun|"
        "AR argentina,arg|ZA south africa,zaf|AE united arab emirates,uae,are|LU luxembourg,lux|EE estonia,eesti,"
        "est|LT lithuania,ltu|LV latvia,lva|HR croatia,hrvatska,hrv|BG bulgaria,bgr|SK slovakia,svk|SI slovenia,"
        "svn|RS serbia,srb|CL chile,chl|CO colombia,col|ID indonesia,idn|VN vietnam,viet nam,vnm|TH thailand,tha|"
        "PH philippines,phl|MY malaysia,mys|NG nigeria,nga|KE kenya,ken|EG egypt,egy|SA saudi arabia,sau|"
        "TW taiwan,twn|HK hong kong,hkg|RU russia,russian federation,россия,rus|IS iceland,ísland,isl|CY cyprus,"
        "cyp|MT malta,mlt"
    ).split("|")
    for code, _, aliases in [entry.partition(" ")]
    for alias in aliases.split(",")
}
_EDGE = "".join(map(chr, range(33))) + "\x7f\u200b\ufeff"  # stripped from both ends: whitespace, CR/LF, NUL
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u2060\ufeff]")
# The AIM symbology identifier a handheld scanner may prefix to a code (]Q1 QR, ]C0 Code 128, ]d2 DataMatrix).
_AIM = re.compile(r"\][A-Za-z][0-9A-Za-z]")
_VCARD = re.compile(r"BEGIN[ \t]*:[ \t]*VCARD", re.I)
_VCARD_END = re.compile(r"(?:^|[\r\n]|\\[nr])[ \t]*END[ \t]*:[ \t]*VCARD", re.I)  # \\n: stored escaped
# A content line embedding media (a photo, logo, sound or key), after an optional group prefix.
_MEDIA_LINE = re.compile(r"(?:[A-Za-z0-9-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]", re.I)
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/=]+")
_HEAD = re.compile(r'((?:[^:"]|"[^"]*")*):')  # a content line's name and parameters; quoted colons allowed
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_HOSTPATH = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?/\S*")
_ID = re.compile(r"[\w.:/-]{4,64}", re.A)
_WORDISH = re.compile(r"[A-Za-z][a-z]*(?:[-_.][A-Za-z][a-z]*)*")
_UUIDISH = re.compile(r"[0-9a-fA-F]{8,}(?:-[0-9a-fA-F]+)*")
_ID_PROPERTY = re.compile(
    r"X-ID|X(?:-\w+)*-(?:BADGE|ATTENDEE|REG|REGISTRATION|TICKET|DELEGATE|PARTICIPANT)(?:ID)?(?:-\w+)*",
    re.I | re.A,
)
_NOTE_ID = re.compile(
    r"\b(?:badge|attendee|registration|reg|ticket|delegate|participant)\b\s*(?:id|no|number|code|#)?\.?\s*[:#=]?"
    r"\s*([A-Za-z0-9][\w.:/-]*)",
    re.I | re.A,
)
_HONORIFICS = frozenset("mr mrs ms miss mx dr prof sir".split())
_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", ":": ":", "\\": "\\"}
_ID_SEGMENTS = frozenset(  # a URL path segment after which the next one is an attendee id
    "a b c p r s t u v id ids attendee attendees badge badges reg registration registrations user users person people "
    "participant participants delegate delegates lead leads scan ticket tickets contact contacts visitor visitors "
    "profile profiles card".split()
)
_CONTAINERS = frozenset(  # JSON keys whose object is the attendee itself
    "attendee person contact data user profile registrant participant delegate visitor lead badge registration payload "
    "result record details info".split()
)
_KEYS = {  # normalised JSON / query keys per field, most specific first
    field: tuple(keys.split())
    for field, keys in {
        "first": "firstname givenname first fname forename namefirst namegiven namefirstname namegivenname",
        "last": "lastname familyname surname last lname namelast namefamily namelastname namefamilyname namesurname",
        "name": "fullname name displayname attendeename namefull",
        "emails": "email emailaddress mail emails email1 workemail primaryemail emailaddresses",
        "phone": "phone phonenumber mobile mobilephone tel telephone cell cellphone phones",
        "company": "company companyname organization organisation org organizationname organisationname orgname "
        "employer employername",
        "title": "title jobtitle job position jobrole designation",
        "country": "country countrycode countryname countryiso addresscountry addresscountrycode locationcountry",
        "city": "city town locality addresscity addresslocality locationcity",
        "badge_id": "badgeid attendeeid registrationid regid registrationcode registrationnumber ticketid badgenumber "
        "badgecode participantid delegateid visitorid uid id aid attendee badge reg registration a",
    }.items()
}


def parse_badge(payload: str) -> ParsedBadge:
    """Parse one scanned payload; unrecognised input (or any parser fault) gives format "unknown".

    A vCard cut off before its END line gives format "truncated" and nothing else: it is reviewed by a
    person, not matched on what may be half an email address.
    """
    try:
        return _parse(payload)
    except Exception:  # a scan must never be lost to a parser bug: the caller keeps the raw payload
        return _UNKNOWN


def badge_hints(payload: str) -> ParsedBadge:
    """What a payload says of its person, for a person to check before attaching a scan to someone: the
    parser's reading, and for a cut-off vCard what its complete lines say (never matched on by itself)."""
    badge = parse_badge(payload)
    if badge.format != "truncated":
        return badge
    try:
        return _vcard(payload.strip(_EDGE))
    except Exception:  # a hint is a convenience: without one the form is simply empty
        return badge


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


def _parse(payload: str) -> ParsedBadge:
    """Detect the payload's shape and dispatch to its parser."""
    if not isinstance(payload, str):
        return _UNKNOWN
    if len(payload) > MAX_PAYLOAD:
        payload = without_media(payload)
        if len(payload) > MAX_PAYLOAD:
            return _UNKNOWN
    text = payload.strip(_EDGE)
    if _AIM.match(text):
        text = text[3:].strip(_EDGE)
    if not text:
        return _UNKNOWN
    if _VCARD.match(text):
        return _vcard(text) if _VCARD_END.search(text) else _TRUNCATED
    if text[:7].upper() == "MECARD:":
        return _mecard(text[7:])
    if text[0] in '{["':
        return _json(text)
    if _URL.fullmatch(text):
        return _url(text) or _UNKNOWN
    if _HOSTPATH.fullmatch(text) and (badge := _url("https://" + text)):
        return badge
    return _build("badge_id", badge_id=text) if _looks_like_id(text) else _UNKNOWN


def _clean(value: object) -> str:
    """NFC-normalise, drop control/invisible characters and collapse whitespace."""
    text = unicodedata.normalize("NFC", value if isinstance(value, str) else "")
    return " ".join(_INVISIBLE.sub("", text).split())


def _looks_like_id(text: str) -> bool:
    """A bare registration id: 4-64 id characters, with a digit unless it is a long non-word code."""
    if not _ID.fullmatch(text) or not any(c.isalnum() for c in text):
        return False
    return any(c.isdigit() for c in text) or (len(text) >= 6 and not _WORDISH.fullmatch(text))


def _id(value: str) -> str:
    """A registration id from a structured field: one token of at most 120 characters."""
    text = re.sub(r"(?i)^urn:uuid:", "", _clean(value))
    return text if text and " " not in text and len(text) <= 120 else ""


def _email(value: str) -> str:
    """A loosely valid email (one @, a dotted domain, no spaces) with its domain lower-cased, or ""."""
    text = re.sub(r"(?i)^mailto:([^?]*).*", r"\1", _clean(value)).strip("<>")
    local, _, domain = text.rpartition("@")
    if not local or "@" in local or any(c in text for c in ' ,;<>()[]\\"') or len(text) > 320:
        return ""
    return f"{local}@{domain.lower()}" if "." in domain and domain[0] != "." and domain[-1] != "." else ""


def _phone(value: str) -> str:
    """A phone number as printed (tel: URI prefix and parameters removed), if it has 3+ digits."""
    text = re.sub(r"(?i)^tel:([^;]*).*", r"\1", _clean(value))
    return text[:40] if sum(c.isdigit() for c in text) >= 3 else ""


def _country(value: str) -> str:
    """ISO 3166-1 alpha-2 code from a country name, a 2/3-letter code or a known alias; else ""."""
    key = re.sub(r"^the ", "", " ".join(_clean(value).casefold().replace(".", "").split()))
    return _COUNTRIES.get(key) or (key.upper() if key.upper() in _ISO2 else "")


def _split_name(full: str) -> tuple[str, str]:
    """Split a display name into (first, last): "Last, First", else the first word and the rest."""
    text = _clean(full)
    if "," in text:
        last, _, first = text.partition(",")
        return first, last
    words = text.split()
    if len(words) > 2 and words[0].lower().rstrip(".") in _HONORIFICS:
        words = words[1:]
    return (words[0] if words else "", " ".join(words[1:]))


def _build(
    fmt: str,
    *,
    badge_id: str = "",
    display_name: str = "",
    first: str = "",
    last: str = "",
    emails: object = (),
    phone: str = "",
    title: str = "",
    company: str = "",
    country: str = "",
    city: str = "",
) -> ParsedBadge:
    """Normalise and clip raw field values (to the Attendee column sizes) into a ParsedBadge."""
    found = [_email(e) for e in ([emails] if isinstance(emails, str) else emails) if isinstance(e, str)]
    return ParsedBadge(
        format=fmt,
        badge_id=_id(badge_id),
        display_name=_clean(display_name)[:240],
        first_name=_clean(first)[:120],
        last_name=_clean(last)[:120],
        emails=tuple(dict.fromkeys(e for e in found if e)),
        phone=_phone(phone),
        title=_clean(title)[:200],
        company=_clean(company)[:200],
        country=_country(country),
        city=_clean(city)[:100],
    )


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


def _norm_key(key: object) -> str:
    """A JSON/query key reduced to lower-case ASCII letters and digits (firstName -> firstname)."""
    return re.sub(r"[^a-z0-9]", "", str(key).lower())


def _flatten(obj: dict, prefix: str = "", depth: int = 0, out: dict | None = None) -> dict[str, object]:
    """Flatten nested objects: attendee containers win over the top level; others prefix their key."""
    out = {} if out is None else out
    items = [(_norm_key(k), v) for k, v in obj.items()]
    for key, value in items:
        if isinstance(value, dict) and key in _CONTAINERS and depth < 2:
            _flatten(value, prefix, depth + 1, out)
    for key, value in items:
        if not isinstance(value, dict):
            out.setdefault(prefix + key, value)
    for key, value in items:
        if isinstance(value, dict) and key not in _CONTAINERS and depth < 2:
            _flatten(value, prefix + key, depth + 1, out)
    return out


def _from_mapping(flat: dict[str, object]) -> dict[str, object]:
    """Pick ParsedBadge fields out of a flattened key -> value mapping by known key aliases."""

    def strings(field: str) -> list[str]:
        found = [flat.get(key) for key in _KEYS[field]]
        found = [v for item in found for v in (item if isinstance(item, list) else [item])]
        return [str(v) for v in found if isinstance(v, str | int) and not isinstance(v, bool)]

    def one(field: str) -> str:
        return next((v for v in strings(field) if _clean(v)), "")

    fields: dict[str, object] = {
        f: one(f) for f in ("phone", "company", "title", "country", "city", "first", "last")
    }
    fields["badge_id"] = next((v for v in strings("badge_id") if _id(v)), "")
    if not _clean(f"{fields['first']}{fields['last']}"):
        fields["first"], fields["last"] = _split_name(one("name"))
    fields["emails"] = strings("emails")
    return fields


def _json(text: str) -> ParsedBadge:
    """Parse a JSON object (trailing garbage ignored), an array of objects, or a quoted bare id."""
    try:
        obj, _ = json.JSONDecoder().raw_decode(text)
    except (ValueError, RecursionError):
        return _UNKNOWN
    if isinstance(obj, list):
        obj = obj[0] if obj and isinstance(obj[0], dict) else None
    if isinstance(obj, str):
        return _build("badge_id", badge_id=obj.strip()) if _looks_like_id(obj.strip()) else _UNKNOWN
    return _build("json", **_from_mapping(_flatten(obj))) if isinstance(obj, dict) else _UNKNOWN


def _path_id(path: str) -> str:
    """The last path segment when it looks like an attendee id (not a word-like slug), else ""."""
    segments = [unquote(s) for s in path.split("/") if s]
    if not segments or not _ID.fullmatch(segments[-1]) or not any(c.isdigit() for c in segments[-1]):
        return ""
    segment, parent = segments[-1], (segments[-2].lower() if len(segments) > 1 else "")
    if parent in _ID_SEGMENTS or _UUIDISH.fullmatch(segment):
        return segment
    wordy = any(p.isalpha() and len(p) >= 5 for p in re.split(r"[-_.:]", segment))
    return segment if len(segment) >= 6 and not wordy else ""


def _url(text: str) -> ParsedBadge | None:
    """Parse a URL carrying an attendee id in its query or last path segment; None without identity."""
    parts = urlsplit(text)
    query: dict[str, object] = {}
    for key, value in parse_qsl(parts.query):
        query.setdefault(_norm_key(key), value)
    fields = _from_mapping(query)
    fields["badge_id"] = fields["badge_id"] or _path_id(parts.path)
    badge = _build("url", **fields)
    return badge if badge.has_identity else None
