"""Badge payload parsing, as properties: the parser never raises and returns clean fields whatever it
is given, and vCards and MECARDs built from arbitrary names come back as they went in."""

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_badges import FORMATS, V
from tracker.badges import ParsedBadge, _parse, parse_badge

# ---- property tests ------------------------------------------------------------------------------------------


def _check_invariants(payload: str) -> None:
    """The parser proper (not only parse_badge's safety net) never raises and returns clean fields."""
    badge = _parse(payload)
    assert parse_badge(payload) == badge
    assert badge.format in FORMATS
    if badge.format in ("unknown", "truncated"):
        assert badge == ParsedBadge(format=badge.format)
    for value in (
        badge.badge_id,
        badge.display_name,
        badge.first_name,
        badge.last_name,
        badge.phone,
        badge.title,
        badge.company,
        badge.city,
        *badge.emails,
    ):
        assert value == value.strip() and not any(unicodedata.category(c) == "Cc" for c in value)
    assert badge.country == "" or (len(badge.country) == 2 and badge.country.isupper())
    assert all(e.count("@") == 1 and " " not in e for e in badge.emails)


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text())
def test_never_raises_on_text(payload):
    _check_invariants(payload)


@FUZZ
@given(st.binary())
def test_never_raises_on_bytes(raw):
    _check_invariants(raw.decode("utf-8", errors="replace"))


@FUZZ
@given(
    st.sampled_from(["BEGIN:VCARD\r\n", "MECARD:", "{", "[", '"', "https://e.example/a/", "]Q1", "X-"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]) | st.sampled_from(';:,\\\r\n ="{}[]')),
)
def test_never_raises_on_shaped_garbage(prefix, rest):
    _check_invariants(prefix + rest)


NAME = st.lists(
    st.text(
        st.characters(whitelist_categories=["Lu", "Ll", "Lo"]) | st.sampled_from("-',;:\\"),
        min_size=1,
        max_size=12,
    ),
    min_size=1,
    max_size=3,
).map(" ".join)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def _fold(line: str, eol: str) -> str:
    """Fold at 75 octets (RFC 6350 §3.2) without splitting a UTF-8 character."""
    chunks, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > (75 if not chunks else 74):
            chunks.append(current)
            current, size = "", 0
        current, size = current + ch, size + width
    return (eol + " ").join([*chunks, current])


def _normalised(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


@settings(max_examples=200, deadline=None)
@given(
    first=NAME,
    last=NAME,
    emails=st.lists(st.emails(), min_size=1, max_size=3),
    version=st.sampled_from(["3.0", "4.0"]),
    eol=st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_vcard_round_trip(first, last, emails, version, eol):
    lines = [
        "BEGIN:VCARD",
        f"VERSION:{version}",
        f"N:{_escape(last)};{_escape(first)};;;",
        f"FN:{_escape(first)} {_escape(last)}",
        *(f"EMAIL;TYPE=INTERNET:{_escape(e)}" for e in emails),
        "END:VCARD",
    ]
    badge = parse_badge(eol.join(_fold(line, eol) for line in lines))
    local, _, domain = emails[0].rpartition("@")
    assert (badge.format, badge.first_name, badge.last_name) == (
        "vcard",
        _normalised(first),
        _normalised(last),
    )
    assert badge.email == f"{local}@{domain.lower()}"


@settings(max_examples=200, deadline=None)
@given(first=NAME, last=NAME, email=st.emails())
def test_mecard_round_trip(first, last, email):
    def esc(value: str) -> str:
        return "".join("\\" + c if c in "\\;:," else c for c in value)

    badge = parse_badge(f"MECARD:N:{esc(last)},{esc(first)};EMAIL:{esc(email)};;")
    local, _, domain = email.rpartition("@")
    assert (badge.first_name, badge.last_name, badge.email) == (
        _normalised(first),
        _normalised(last),
        f"{local}@{domain.lower()}",
    )


@settings(max_examples=100, deadline=None)
@given(emails=st.lists(st.emails(), min_size=2, max_size=5, unique_by=str.lower), data=st.data())
def test_vcard40_pref_email_comes_first(emails, data):
    preferred = data.draw(st.integers(0, len(emails) - 1))
    lines = [f"EMAIL{';PREF=1' if i == preferred else ''}:{e}" for i, e in enumerate(emails)]
    badge = parse_badge(V("VERSION:4.0", "N:Doe;Jane", *lines))
    local, _, domain = emails[preferred].rpartition("@")
    assert badge.email == f"{local}@{domain.lower()}"
