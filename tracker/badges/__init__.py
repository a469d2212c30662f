"""Parse a raw scanned badge payload (vCard, MECARD, JSON, URL or bare id) into a ParsedBadge; never raises.

The one badge parser: ``parse_badge`` detects the payload's shape and hands it to ``cards`` (vCard,
MECARD) or ``structured`` (JSON, URLs); ``fields`` holds what a badge says and how each field is cleaned.
"""

from __future__ import annotations

import re

from tracker.badges.cards import _VCARD, _VCARD_END, _mecard, _vcard, without_media
from tracker.badges.fields import _EDGE, _TRUNCATED, _UNKNOWN, ParsedBadge, _build, _looks_like_id
from tracker.badges.structured import _HOSTPATH, _URL, _json, _url

__all__ = ["MAX_PAYLOAD", "ParsedBadge", "badge_hints", "parse_badge", "without_media"]

# The longest payload kept (and parsed), once embedded media are taken out (see without_media): a QR code
# holds at most 7,089 characters, so a longer one is not a badge.
MAX_PAYLOAD = 8192


# The AIM symbology identifier a handheld scanner may prefix to a code (]Q1 QR, ]C0 Code 128, ]d2 DataMatrix).
_AIM = re.compile(r"\][A-Za-z][0-9A-Za-z]")


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
