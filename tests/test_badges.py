"""Badge payload parsing: a corpus of real-world-shaped scans plus property tests (no database)."""

import dataclasses
import json

import pytest

from tracker.badges import MAX_PAYLOAD, ParsedBadge, parse_badge, without_media

FORMATS = {"vcard", "mecard", "json", "url", "badge_id", "truncated", "unknown"}
UNKNOWN: dict = {"format": "unknown"}


def V(*lines: str, eol: str = "\r\n") -> str:
    """A vCard from its content lines."""
    return eol.join(("BEGIN:VCARD", *lines, "END:VCARD")) + eol


CORPUS = [
    # ---- vCard ---------------------------------------------------------------------------------------------
    pytest.param(
        V(
            "VERSION:3.0",
            "N:Lefèvre;Zoë;;;",
            "FN:Zoë Lefèvre",
            "ORG:Acme\\, Inc;R&D",
            "TITLE:Head of Platform",
            "EMAIL;TYPE=INTERNET,WORK:zoe.lefevre@Acme.EXAMPLE",
            "TEL;TYPE=cell:+33 6 12 34 56 78",
            "ADR;TYPE=work:;;12 rue de la Paix;Paris;;75002;France",
            "X-BADGE-ID:KCEU24-004512",
        ),
        {
            "format": "vcard",
            "display_name": "Zoë Lefèvre",
            "badge_id": "KCEU24-004512",
            "first_name": "Zoë",
            "last_name": "Lefèvre",
            "emails": ("zoe.lefevre@acme.example",),
            "phone": "+33 6 12 34 56 78",
            "title": "Head of Platform",
            "company": "Acme, Inc",
            "country": "FR",
            "city": "Paris",
        },
        id="vcard30-full-crlf",
    ),
    pytest.param(
        V(
            "VERSION:4.0",
            "FN:Jane Doe",
            "N:Doe;Jane;;;",
            "EMAIL;TYPE=home;PREF=2:jane@home.example",
            "EMAIL;TYPE=work;PREF=1:jane.doe@Corp.Example",
            "EMAIL:jd@third.example",
            'TEL;VALUE=uri;TYPE="voice,cell":tel:+1-555-555-0100;ext=42',
            "UID:urn:uuid:8f3c2a9b-4e1d-4c2b-9a7e-1f2d3c4b5a69",
        ),
        {
            "format": "vcard",
            "display_name": "Jane Doe",
            "badge_id": "8f3c2a9b-4e1d-4c2b-9a7e-1f2d3c4b5a69",
            "first_name": "Jane",
            "last_name": "Doe",
            "emails": ("jane.doe@corp.example", "jane@home.example", "jd@third.example"),
            "phone": "+1-555-555-0100",
        },
        id="vcard40-pref-order-tel-uri-uid",
    ),
    pytest.param(
        V("VERSION:3.0", "N:Smith;Ann", "EMAIL:ann@one.example", "EMAIL;TYPE=pref:ann@two.example"),
        {
            "format": "vcard",
            "first_name": "Ann",
            "last_name": "Smith",
            "emails": ("ann@two.example", "ann@one.example"),
        },
        id="vcard30-type-pref-first",
    ),
    pytest.param(
        V(
            "VERSION:2.1",
            "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Lef=C3=A8vre;Zo=C3=AB;;;",
            "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Zo=C3=AB Lef=C3=A8vre",
            "ORG;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Soci=C3=A9t=C3=A9 G=C3=A9n=C3=A9rale Informatique=",
            " Services",
            "EMAIL;PREF;INTERNET:zoe@societe.example",
            "TEL;CELL:+33612345678",
        ),
        {
            "format": "vcard",
            "display_name": "Zoë Lefèvre",
            "first_name": "Zoë",
            "last_name": "Lefèvre",
            "emails": ("zoe@societe.example",),
            "phone": "+33612345678",
            "company": "Société Générale Informatique Services",
        },
        id="vcard21-quoted-printable-soft-break",
    ),
    pytest.param(
        V("VERSION:2.1", "N;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:M=FCller;J=FCrgen", eol="\r\n"),
        {"format": "vcard", "first_name": "Jürgen", "last_name": "Müller"},
        id="vcard21-quoted-printable-latin1",
    ),
    pytest.param(
        "begin:vcard\nversion:3.0\nn:Doe;John\nemail:John.Doe@Example.COM\nend:vcard\n",
        {"format": "vcard", "first_name": "John", "last_name": "Doe", "emails": ("John.Doe@example.com",)},
        id="vcard-lowercase-lf",
    ),
    pytest.param(
        V("VERSION:3.0", "N:Nakamura;Aiko", "ORG:Example KK", "EMAIL:aiko@example.jp", eol="\r"),
        {
            "format": "vcard",
            "first_name": "Aiko",
            "last_name": "Nakamura",
            "emails": ("aiko@example.jp",),
            "company": "Example KK",
        },
        id="vcard-cr-only-keyboard-wedge",
    ),
    pytest.param(
        "BEGIN:VCARD\r\r\nVERSION:3.0\n\rN:Rossi;Marco\r\r\nTITLE:Staff\r\n  Engineer\r\r\nEND:VCARD",
        {"format": "vcard", "first_name": "Marco", "last_name": "Rossi", "title": "Staff Engineer"},
        id="vcard-mixed-broken-line-endings",
    ),
    pytest.param(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lef\r\n èvre;Zo\r\n\të;;;\r\nFN:Zo\r\n ë Lefèvre\r\nEND:VCARD\r\n",
        {"format": "vcard", "display_name": "Zoë Lefèvre", "first_name": "Zoë", "last_name": "Lefèvre"},
        id="vcard-folded-inside-utf8-name",
    ),
    pytest.param(
        "BEGIN:VCARD\nVERSION:3.0\nN:Lefe\n \u0300vre;Zoe\n \u0308\nEND:VCARD",
        {"format": "vcard", "first_name": "Zoë", "last_name": "Lefèvre"},
        id="vcard-fold-between-base-and-combining-mark-nfc",
    ),
    pytest.param(
        V("VERSION:3.0", "FN:Zoë   Lefèvre", "EMAIL:zoe@x.example"),
        {
            "format": "vcard",
            "display_name": "Zoë Lefèvre",
            "first_name": "Zoë",
            "last_name": "Lefèvre",
            "emails": ("zoe@x.example",),
        },
        id="vcard-fn-only",
    ),
    pytest.param(
        V("VERSION:4.0", "N:;;;;", "FN:Dr. María de la Cruz"),
        {
            "format": "vcard",
            "display_name": "Dr. María de la Cruz",
            "first_name": "María",
            "last_name": "de la Cruz",
        },
        id="vcard-empty-n-fn-fallback-honorific",
    ),
    pytest.param(
        V("VERSION:3.0", "FN:Tanaka\\, Hiro"),
        {"format": "vcard", "display_name": "Tanaka, Hiro", "first_name": "Hiro", "last_name": "Tanaka"},
        id="vcard-fn-last-comma-first",
    ),
    pytest.param(
        V("VERSION:3.0", "N:Иванов;Дмитрий;Сергеевич;;", "ORG:ООО Ромашка", "ADR:;;;Москва;;;Россия"),
        {
            "format": "vcard",
            "first_name": "Дмитрий",
            "last_name": "Иванов",
            "company": "ООО Ромашка",
            "country": "RU",
            "city": "Москва",
        },
        id="vcard-cyrillic",
    ),
    pytest.param(
        V("VERSION:4.0", "N:田中;太郎;;;", "FN:田中 太郎", "ORG:株式会社サンプル", "ADR:;;;東京;;;日本"),
        {
            "format": "vcard",
            "display_name": "田中 太郎",
            "first_name": "太郎",
            "last_name": "田中",
            "company": "株式会社サンプル",
            "country": "JP",
            "city": "東京",
        },
        id="vcard-cjk",
    ),
    pytest.param(  # cut off: what it says may be cut off too, so it is reviewed, not trusted
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Kowalski;Piotr\r\nEMAIL:piotr@firma.exa",
        {"format": "truncated"},
        id="vcard-truncated-no-end",
    ),
    pytest.param(
        V(
            "VERSION:3.0",
            "N:Appleseed;Johnny;;;",
            "item1.EMAIL;type=INTERNET;type=pref:johnny@Apple.Example",
            "item1.X-ABLabel:_$!<Work>!$_",
            "item2.TEL;type=CELL:(555) 010-2000",
            "item3.ADR;type=HOME:;;;Cupertino;CA;;United States",
        ),
        {
            "format": "vcard",
            "first_name": "Johnny",
            "last_name": "Appleseed",
            "emails": ("johnny@apple.example",),
            "phone": "(555) 010-2000",
            "country": "US",
            "city": "Cupertino",
        },
        id="vcard-apple-groups",
    ),
    pytest.param(
        V(
            "VERSION:3.0",
            "N:O'Brien;Seán",
            "ORG:Smith\\, Jones & Co\\;Legal;EMEA",
            "TITLE:VP\\, Engineering\\nEMEA",
            "NOTE:path C:\\\\temp",
        ),
        {
            "format": "vcard",
            "first_name": "Seán",
            "last_name": "O'Brien",
            "company": "Smith, Jones & Co;Legal",
            "title": "VP, Engineering EMEA",
        },
        id="vcard-escapes",
    ),
    pytest.param(
        V(
            "VERSION:3.0",
            "N:Ng;Wei",
            "EMAIL:not-an-email",
            "EMAIL:wei ng@x.example",
            "EMAIL:wei@@x.example",
            "EMAIL:wei@localhost",
            "EMAIL:mailto:Wei@X.Example",
            "EMAIL:wei@x.example",
        ),
        {
            "format": "vcard",
            "first_name": "Wei",
            "last_name": "Ng",
            "emails": ("Wei@x.example", "wei@x.example"),
        },
        id="vcard-invalid-emails-dropped",
    ),
    pytest.param(
        V("VERSION:3.0", "N:Garcia;Ana", "ADR;TYPE=work:;Suite 5;1 Main St;Austin;TX;78701;U.S.A."),
        {"format": "vcard", "first_name": "Ana", "last_name": "Garcia", "country": "US", "city": "Austin"},
        id="vcard-adr-usa-dotted",
    ),
    pytest.param(
        V("VERSION:3.0", "N:Poseidon;Atlas", "ADR:;;;Poseidonis;;;Atlantis"),
        {"format": "vcard", "first_name": "Atlas", "last_name": "Poseidon", "city": "Poseidonis"},
        id="vcard-adr-unknown-country",
    ),
    pytest.param(
        V("VERSION:4.0", "N:Jones;Tom", "ADR;CC=gb:;;;Cardiff;;;", "TEL:+44 29 2000 0000"),
        {
            "format": "vcard",
            "first_name": "Tom",
            "last_name": "Jones",
            "country": "GB",
            "city": "Cardiff",
            "phone": "+44 29 2000 0000",
        },
        id="vcard40-adr-cc-param",
    ),
    pytest.param(
        V("VERSION:3.0", "N:Svensson;Erik", "X-ATTENDEE-ID:SWE-2024-881", "UID:ignored-contact-uid"),
        {"format": "vcard", "badge_id": "SWE-2024-881", "first_name": "Erik", "last_name": "Svensson"},
        id="vcard-x-attendee-id-beats-uid",
    ),
    pytest.param(
        V("VERSION:3.0", "N:Bauer;Lena", "NOTE:VIP guest\\nReg ID: KCEU24-000777."),
        {"format": "vcard", "badge_id": "KCEU24-000777", "first_name": "Lena", "last_name": "Bauer"},
        id="vcard-registration-id-in-note",
    ),
    pytest.param(
        "\x00\x00BEGIN:VCARD\r\nVERSION:3.0\r\nN:Mül\x00ler;Jan\r\nEND:VCARD\r\n\x00\x00\x00",
        {"format": "vcard", "first_name": "Jan", "last_name": "Müller"},
        id="vcard-nul-bytes",
    ),
    pytest.param(
        "]Q1" + V("VERSION:3.0", "N:Dubois;Claire", "EMAIL:claire@exemple.example"),
        {
            "format": "vcard",
            "first_name": "Claire",
            "last_name": "Dubois",
            "emails": ("claire@exemple.example",),
        },
        id="vcard-aim-prefix",
    ),
    pytest.param(
        V(
            "VERSION:3.0",
            "N:Moreau;Luc",
            "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD",
            " /2wBDAAgGBgcGBQ",
        ),
        {"format": "vcard", "first_name": "Luc", "last_name": "Moreau"},
        id="vcard-photo-skipped",
    ),
    pytest.param(
        "BEGIN:VCARD\\nVERSION:3.0\\nN:Doe;Jane\\nEMAIL:jane@doe.example\\nEND:VCARD",
        {"format": "vcard", "first_name": "Jane", "last_name": "Doe", "emails": ("jane@doe.example",)},
        id="vcard-stored-with-escaped-newlines",
    ),
    pytest.param("BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD", {"format": "vcard"}, id="vcard-empty"),
    # ---- MECARD --------------------------------------------------------------------------------------------
    pytest.param(
        "MECARD:N:Lefèvre,Zoë;EMAIL:zoe@x.example;TEL:+33612345678;ORG:Acme;TITLE:CTO;"
        "ADR:,,12 rue de la Paix,Paris,,75002,France;NOTE:Badge #12345;;",
        {
            "format": "mecard",
            "badge_id": "12345",
            "first_name": "Zoë",
            "last_name": "Lefèvre",
            "emails": ("zoe@x.example",),
            "phone": "+33612345678",
            "title": "CTO",
            "company": "Acme",
            "country": "FR",
            "city": "Paris",
        },
        id="mecard-full",
    ),
    pytest.param(
        "MECARD:N:Rossi,Giulia;EMAIL:giulia@esempio.example;TEL:+39 02 1234567",
        {
            "format": "mecard",
            "first_name": "Giulia",
            "last_name": "Rossi",
            "emails": ("giulia@esempio.example",),
            "phone": "+39 02 1234567",
        },
        id="mecard-missing-trailing-semicolons",
    ),
    pytest.param(
        "MECARD:N:Smith\\, Jr.,John;ORG:A\\;B\\:C\\\\D;EMAIL:john@ab.example;ADR:Germany;;",
        {
            "format": "mecard",
            "first_name": "John",
            "last_name": "Smith, Jr.",
            "company": "A;B:C\\D",
            "emails": ("john@ab.example",),
            "country": "DE",
        },
        id="mecard-escapes",
    ),
    pytest.param(
        "mecard:n:Zoë Lefèvre;email:ZOE@X.EXAMPLE;note:KCEU24-001122;;\r\n",
        {
            "format": "mecard",
            "badge_id": "KCEU24-001122",
            "first_name": "Zoë",
            "last_name": "Lefèvre",
            "emails": ("ZOE@x.example",),
        },
        id="mecard-lowercase-name-without-comma-note-id",
    ),
    pytest.param("MECARD:;;", {"format": "mecard"}, id="mecard-empty"),
    # ---- JSON ----------------------------------------------------------------------------------------------
    pytest.param(
        '{"first_name": "Zoë", "last_name": "Lefèvre", "email": "zoe@X.example", "company": "Acme",'
        ' "job_title": "CTO", "country": "FR", "city": "Paris", "phone": "+33 6 12", "attendee_id": "A-1001"}',
        {
            "format": "json",
            "badge_id": "A-1001",
            "first_name": "Zoë",
            "last_name": "Lefèvre",
            "emails": ("zoe@x.example",),
            "phone": "+33 6 12",
            "title": "CTO",
            "company": "Acme",
            "country": "FR",
            "city": "Paris",
        },
        id="json-snake-case",
    ),
    pytest.param(
        '{"FirstName": "Jane", "LastName": "Doe", "E-Mail": "JANE@DOE.IO", "Organization": "Doe Ltd",'
        ' "jobTitle": "CEO", "regId": 778899, "Country": "Germany"}',
        {
            "format": "json",
            "badge_id": "778899",
            "first_name": "Jane",
            "last_name": "Doe",
            "emails": ("JANE@doe.io",),
            "title": "CEO",
            "company": "Doe Ltd",
            "country": "DE",
        },
        id="json-camel-case-int-id",
    ),
    pytest.param(
        '{"event": {"id": "KCEU24", "name": "KubeCon"}, "id": "scan-9", "attendee": {"id": "R-42",'
        ' "given_name": "Aiko", "family_name": "Nakamura", "mail": "aiko@example.jp",'
        ' "company": {"name": "Example KK"}, "address": {"city": "Osaka", "country": "Japan"}}}',
        {
            "format": "json",
            "badge_id": "R-42",
            "first_name": "Aiko",
            "last_name": "Nakamura",
            "emails": ("aiko@example.jp",),
            "company": "Example KK",
            "country": "JP",
            "city": "Osaka",
        },
        id="json-nested-attendee",
    ),
    pytest.param(
        '{"full_name": "  Jean-Luc   Picard ", "emails": ["JL@Starfleet.Example", "bad email", "jl@home.example"],'
        ' "registration_id": "SF-1701", "role": "Speaker"}',
        {
            "format": "json",
            "badge_id": "SF-1701",
            "first_name": "Jean-Luc",
            "last_name": "Picard",
            "emails": ("JL@starfleet.example", "jl@home.example"),
        },
        id="json-full-name-email-list",
    ),
    pytest.param(
        '{"id":"R-1","email":"a@b.co"}\r\n\x00\x00garbage}}',
        {"format": "json", "badge_id": "R-1", "emails": ("a@b.co",)},
        id="json-trailing-garbage",
    ),
    pytest.param(
        '[{"badge_id": "B-77", "name": "Kim"}]',
        {"format": "json", "badge_id": "B-77", "first_name": "Kim"},
        id="json-array-of-object",
    ),
    pytest.param("[1, 2, 3]", UNKNOWN, id="json-array-of-numbers"),
    pytest.param('"KCEU24-004512"', {"format": "badge_id", "badge_id": "KCEU24-004512"}, id="json-string-id"),
    pytest.param('"thanks for visiting"', UNKNOWN, id="json-string-sentence"),
    pytest.param('{"name": "Zo', UNKNOWN, id="json-truncated"),
    pytest.param('{"event": "KubeCon", "scanned": true}', {"format": "json"}, id="json-without-identity"),
    pytest.param("null", UNKNOWN, id="json-null"),
    # ---- URL -----------------------------------------------------------------------------------------------
    pytest.param(
        "https://events.example/scan?attendee=KCEU24-123456&utm_source=badge",
        {"format": "url", "badge_id": "KCEU24-123456"},
        id="url-query-attendee",
    ),
    pytest.param(
        "https://reg.example/b?aid=998877#id=SHOULD-NOT-WIN",
        {"format": "url", "badge_id": "998877"},
        id="url-query-aid-fragment-ignored",
    ),
    pytest.param(
        "https://events.example/a/KCEU24-123456",
        {"format": "url", "badge_id": "KCEU24-123456"},
        id="url-path-id",
    ),
    pytest.param(
        "https://events.example/attendees/8f3c2a9b-4e1d-4c2b-9a7e-1f2d3c4b5a69/",
        {"format": "url", "badge_id": "8f3c2a9b-4e1d-4c2b-9a7e-1f2d3c4b5a69"},
        id="url-path-uuid-trailing-slash",
    ),
    pytest.param(
        "HTTP://Events.Example/r?reg=77&first_name=Ana&last_name=Silva&email=ana%40silva.example",
        {
            "format": "url",
            "badge_id": "77",
            "first_name": "Ana",
            "last_name": "Silva",
            "emails": ("ana@silva.example",),
        },
        id="url-query-with-contact",
    ),
    pytest.param(
        "events.example/a/KCEU24-000042\r\n",
        {"format": "url", "badge_id": "KCEU24-000042"},
        id="url-schemeless",
    ),
    pytest.param("https://events.example/scan?attendee=&id=", UNKNOWN, id="url-empty-id"),
    pytest.param("https://kubecon.example/", UNKNOWN, id="url-no-id"),
    pytest.param("https://events.example/kubecon-eu-2024", UNKNOWN, id="url-event-slug-not-an-id"),
    # ---- bare ids ------------------------------------------------------------------------------------------
    pytest.param("KCEU24-004512", {"format": "badge_id", "badge_id": "KCEU24-004512"}, id="id-plain"),
    pytest.param("4512\r\n", {"format": "badge_id", "badge_id": "4512"}, id="id-numeric-crlf-suffix"),
    pytest.param("A1B2C3D4E5\n", {"format": "badge_id", "badge_id": "A1B2C3D4E5"}, id="id-lf-suffix"),
    pytest.param(
        "  KCEU24-004512\t", {"format": "badge_id", "badge_id": "KCEU24-004512"}, id="id-tab-suffix"
    ),
    pytest.param("]Q1KCEU24-004512\r", {"format": "badge_id", "badge_id": "KCEU24-004512"}, id="id-aim-qr"),
    pytest.param("]C04512\r\n", {"format": "badge_id", "badge_id": "4512"}, id="id-aim-code128"),
    pytest.param(
        "\x00REG:2024/000123\x00", {"format": "badge_id", "badge_id": "REG:2024/000123"}, id="id-nul-padded"
    ),
    pytest.param("QXRTZPLM", {"format": "badge_id", "badge_id": "QXRTZPLM"}, id="id-letters-only-code"),
    pytest.param("123", UNKNOWN, id="id-too-short"),
    pytest.param("K" * 65, UNKNOWN, id="id-too-long"),
    pytest.param("hello", UNKNOWN, id="word-not-an-id"),
    pytest.param("true", UNKNOWN, id="json-literal-not-an-id"),
    # ---- junk ----------------------------------------------------------------------------------------------
    pytest.param("", UNKNOWN, id="empty"),
    pytest.param("   \r\n\t", UNKNOWN, id="whitespace"),
    pytest.param("\x00\x00\x00", UNKNOWN, id="nul-bytes"),
    pytest.param("KCEU24\x00004512", UNKNOWN, id="nul-inside-id"),
    pytest.param("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", UNKNOWN, id="binary-junk"),
    pytest.param(b"\xff\xfe\x00K\x00C\xd8\x00".decode("utf-8", "replace"), UNKNOWN, id="replacement-chars"),
    pytest.param("\x1b[31mKCEU\x1b[0m", UNKNOWN, id="ansi-control-chars"),
    pytest.param("Thanks for stopping by our booth!", UNKNOWN, id="sentence"),
    pytest.param("zoe@x.example", UNKNOWN, id="bare-email"),
    pytest.param("A" * (MAX_PAYLOAD + 1), UNKNOWN, id="too-long-garbage"),
    pytest.param(V("VERSION:3.0", "N:Doe;Jane", "NOTE:" + "x" * MAX_PAYLOAD), UNKNOWN, id="too-long-vcard"),
]


@pytest.mark.parametrize(("payload", "expected"), CORPUS)
def test_corpus(payload, expected):
    assert dataclasses.asdict(parse_badge(payload)) == dataclasses.asdict(ParsedBadge(**expected))


@pytest.mark.parametrize(
    ("country", "iso"),
    [
        ("France", "FR"),
        ("fr", "FR"),
        ("DEU", "DE"),
        ("Deutschland", "DE"),
        ("United States", "US"),
        ("USA", "US"),
        ("the Netherlands", "NL"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("España", "ES"),
        ("ITALY", "IT"),
        ("Japan", "JP"),
        ("india", "IN"),
        ("Canada", "CA"),
        ("Polska", "PL"),
        ("Sweden", "SE"),
        ("ch", "CH"),
        ("XX", ""),
        ("Atlantis", ""),
        ("", ""),
        ("Franc", ""),
    ],
)
def test_country_to_iso2(country, iso):
    assert parse_badge(json.dumps({"id": "A-1", "country": country})).country == iso


@pytest.mark.parametrize(
    "key", ["attendee", "id", "aid", "badge", "reg", "uid", "a", "badge_id", "registrationId"]
)
def test_url_query_keys(key):
    assert parse_badge(f"https://e.example/s?x=1&{key}=X-123") == ParsedBadge(format="url", badge_id="X-123")


@pytest.mark.parametrize(
    "key", ["id", "attendee_id", "badge_id", "registration_id", "regId", "uid", "AttendeeID", "badgeId"]
)
def test_json_id_keys(key):
    assert parse_badge(json.dumps({key: "Q-77"})).badge_id == "Q-77"


def test_properties():
    badge = parse_badge(V("N:Doe;Jane", "EMAIL:b@x.io", "EMAIL;PREF=1:a@x.io"))
    assert badge.email == "a@x.io" and badge.has_identity
    assert parse_badge("4512\n").has_identity and parse_badge("4512\n").email == ""
    assert not parse_badge(V("ORG:Acme")).has_identity
    with pytest.raises(dataclasses.FrozenInstanceError):
        badge.first_name = "x"
    assert parse_badge(None) == parse_badge(b"4512") == ParsedBadge(format="unknown")  # type: ignore[arg-type]


# ---- gaps seen on real vCards ----------------------------------------------------------------------------


def test_group_prefixed_properties_are_read_like_plain_ones():
    badge = parse_badge(
        V(
            "VERSION:3.0",
            "home.FN:Maren Holt",
            "home.N:Holt;Maren;;;",
            "item1.EMAIL;type=INTERNET:maren@holt.example",
            "item-2.TEL;type=CELL:+49 30 1234567",
            "work.ORG:Holt Systems",
            "work.TITLE:CTO",
            "item3.ADR;type=WORK:;;;Berlin;;;Germany",
            "badge.X-BADGE-ID:KCEU24-000777",
        )
    )
    assert (badge.display_name, badge.first_name, badge.last_name) == ("Maren Holt", "Maren", "Holt")
    assert (badge.email, badge.phone, badge.company, badge.title) == (
        "maren@holt.example",
        "+49 30 1234567",
        "Holt Systems",
        "CTO",
    )
    assert (badge.city, badge.country, badge.badge_id) == ("Berlin", "DE", "KCEU24-000777")


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        ("M=FCller;J=FCrgen", ("Jürgen", "Müller")),  # 8-bit Windows-1252, as older phones write it
        ("M=C3=BCller;J=C3=BCrgen", ("Jürgen", "Müller")),  # UTF-8 bytes, no charset said either
        ("Lef=E8vre;Zo=EB", ("Zoë", "Lefèvre")),
    ],
)
def test_quoted_printable_without_a_charset_keeps_the_accents(encoded, expected):
    badge = parse_badge(V("VERSION:2.1", f"N;ENCODING=QUOTED-PRINTABLE:{encoded}", "EMAIL:j@m.example"))
    assert (badge.first_name, badge.last_name) == expected
    assert "\ufffd" not in badge.first_name + badge.last_name


PHOTO_30 = "PHOTO;ENCODING=b;TYPE=JPEG:" + "A" * 60 + "".join("\r\n " + "/9j/" * 18 for _ in range(400))
PHOTO_21 = "PHOTO;JPEG;ENCODING=BASE64:\r\n" + "\r\n".join("QUJD" * 19 for _ in range(400)) + "\r\n"
PHOTO_40 = "PHOTO:data:image/jpeg;base64," + "QUJD" * 6000


@pytest.mark.parametrize(
    "photo", [PHOTO_30, PHOTO_21, PHOTO_40], ids=["3.0-folded", "2.1-block", "4.0-data-uri"]
)
def test_a_card_over_the_size_limit_only_because_of_its_photo_is_read_without_it(photo):
    card = V(
        "VERSION:3.0", "FN:Photo Person", "N:Person;Photo;;;", photo, "EMAIL:photo@person.example", "ORG:Pics"
    )
    assert len(card) > MAX_PAYLOAD
    badge = parse_badge(card)
    assert (badge.format, badge.email, badge.company) == ("vcard", "photo@person.example", "Pics")
    kept = without_media(card)
    assert len(kept) < 300 and "PHOTO" not in kept and "QUJD" not in kept and "/9j/" not in kept
    assert kept.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Photo Person\r\nN:Person;Photo;;;\r\n")
    assert kept.endswith("EMAIL:photo@person.example\r\nORG:Pics\r\nEND:VCARD\r\n")


def test_without_media_leaves_other_payloads_and_photo_free_cards_exactly_as_they_were():
    card = V("VERSION:3.0", "FN:Plain", "NOTE:a photo of the booth\\, PHOTO: none", "EMAIL:p@l.example")
    for payload in (card, "KCEU24-000001", '{"photo": "x"}', "MECARD:N:Doe,J;PHOTO:abc;;"):
        assert without_media(payload) == payload


@pytest.mark.parametrize(
    ("fn", "n", "shown"),
    [
        ("김민수", "김;민수;;;", "김민수"),
        ("佐藤花子", "佐藤;花子;;;", "佐藤花子"),
        ("Dr. Maren Holt, PhD", "Holt;Maren;;Dr.;PhD", "Dr. Maren Holt, PhD"),
    ],
)
def test_the_name_is_shown_as_written_on_the_card(fn, n, shown):
    badge = parse_badge(V("VERSION:3.0", f"FN:{fn.replace(',', chr(92) + ',')}", f"N:{n}"))
    assert badge.display_name == shown
    assert badge.first_name and badge.last_name  # still split for CRM files and sorting


@pytest.mark.parametrize(
    "cut",
    [
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Piotr Kowalski\r\nEMAIL:piotr@firma.exa",
        "BEGIN:VCARD\nVERSION:3.0\nN:Kowalski;Piotr\nEMAIL:piotr@firma.example\nORG:Fir",
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Kowalski;Piotr\r\n",
    ],
)
def test_a_cut_off_vcard_is_flagged_and_trusts_nothing(cut):
    assert parse_badge(cut) == ParsedBadge(format="truncated")
