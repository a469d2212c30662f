"""Badges that carry structured data: JSON objects and URLs with an attendee id. Pure."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, unquote, urlsplit

from tracker.badges.fields import _ID, _UNKNOWN, ParsedBadge, _build, _clean, _id, _looks_like_id, _split_name

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")


_HOSTPATH = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?/\S*")


_UUIDISH = re.compile(r"[0-9a-fA-F]{8,}(?:-[0-9a-fA-F]+)*")


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
