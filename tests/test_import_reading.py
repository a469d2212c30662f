"""Awkward files as event platforms write them, read into the right rows and values (no database).

Every file is built here: encodings (UTF-8 with and without BOM, UTF-16, Windows-1252), delimiters, quoted
fields with line breaks, title lines above the header, dates in every order and as spreadsheet values,
events east and west of UTC.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from tracker.imports.columns import (
    LEADS,
    LEFT_OUT,
    REASON,
    fold,
    guess_mapping,
    header_score,
    mapping_problems,
)
from tracker.imports.reading import UnreadableFile, read_table
from tracker.imports.values import DMY, MDY, YMD, Record, Rejected, date_order, moment, record_of

TOKYO, LOS_ANGELES = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles")
HEADER = ["Badge ID", "First Name", "Last Name", "Email", "Company", "Scanned At", "Notes"]
ROWS = [
    ["KC-1", "Zoë", "Ångström", "zoe@example.org", "Crème Cloud", "2024-03-20 10:15", "Wants a demo"],
    ["KC-2", "José", "Muñoz", "", "Niño Labs", "2024-03-20 11:00", "Line one\nline two, with a comma"],
]


def _text_file(tmp_path, encoding: str, delimiter: str, lines_before=()) -> object:
    import csv
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    for line in lines_before:
        writer.writerow(line)
    writer.writerow(HEADER)
    writer.writerows(ROWS)
    path = tmp_path / "leads.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _read(path, encoding=None):
    return read_table(path, header_score, encoding=encoding)


@pytest.mark.parametrize(
    ("encoding", "delimiter", "detected"),
    [("utf-8", ",", False), ("utf-8-sig", ";", False), ("utf-16", "\t", False), ("cp1252", ";", True)],
)
def test_every_encoding_and_delimiter_reads_the_same_rows(tmp_path, encoding, delimiter, detected):
    table = _read(_text_file(tmp_path, encoding, delimiter))
    assert table.headers == HEADER and table.delimiter == delimiter
    assert table.encoding_detected is detected  # a guessed encoding is shown to the user to confirm
    assert [cells for _, cells in table.rows()] == ROWS  # accents and the quoted line break intact


def test_a_wrong_guess_can_be_corrected_by_naming_the_encoding(tmp_path):
    path = _text_file(tmp_path, "cp1252", ",")
    table = _read(path, encoding="latin-1")
    assert [cells[1] for _, cells in table.rows()] == ["Zoë", "José"]
    with pytest.raises(UnreadableFile, match="Unknown encoding"):
        _read(path, encoding="klingon-8")
    for wide in ("utf-16", "utf-32"):  # named for a file that has no BOM (it is UTF-8 here)
        with pytest.raises(UnreadableFile, match=f"not {wide}"):
            list(_read(_text_file(tmp_path, "utf-8", ","), encoding=wide).rows())


def test_title_lines_above_the_header_are_skipped_and_lines_counted_in_the_file(tmp_path):
    path = _text_file(tmp_path, "utf-8", ",", lines_before=[["Lead export"], ["Generated 2024-03-22"], []])
    table = _read(path)
    assert table.header_line == 4
    # The second row's quoted note spans two lines: it starts on line 6 and the file ends on line 7.
    assert [line for line, _ in table.rows()] == [5, 6]


def test_an_xlsx_with_dates_numbers_and_a_header_further_down(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Swapcard lead export"])
    sheet.append(["Badge ID", "Name", "Scan date", "Employees"])
    sheet.append([1234, "Ada Lovelace", datetime(2024, 3, 20, 10, 15), 250.0])
    sheet.append(["KC-9", "Grace Hopper", 45371.5, None])  # an Excel serial date, as some files hold them
    path = tmp_path / "leads.xlsx"
    workbook.save(path)
    table = _read(path)
    assert (table.kind, table.header_line, table.headers) == (
        "xlsx",
        2,
        ["Badge ID", "Name", "Scan date", "Employees"],
    )
    mapping = guess_mapping(table.headers, table.samples, LEADS)
    assert mapping == ["badge_id", "full_name", "scanned_at", ""]
    rows = [record_of(line, cells, table.headers, mapping, LEADS, "", TOKYO) for line, cells in table.rows()]
    assert rows[0].fields["badge_id"] == "1234"  # a number cell, not "1234.0"
    assert rows[0].fields["scanned_at"] == datetime(2024, 3, 20, 10, 15, tzinfo=TOKYO)
    assert (rows[0].fields["first_name"], rows[0].fields["last_name"]) == ("Ada", "Lovelace")
    assert rows[0].extra == {"Employees": "250"}  # unmapped: kept as written
    assert rows[1].fields["scanned_at"] == datetime(2024, 3, 20, 12, 0, tzinfo=TOKYO)
    assert rows[1].extra == {}


def test_an_empty_or_binary_file_is_refused_with_a_reason(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"  \n")
    with pytest.raises(UnreadableFile, match="empty"):
        _read(empty)
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    with pytest.raises(UnreadableFile):
        _read(binary)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Prénom", "Nom", "Courriel", "Société", "Fonction", "Pays"],
         ["first_name", "last_name", "email", "company", "title", "country"]),
        (["Vorname", "Nachname", "E-Mail-Adresse", "Firma", "Berufsbezeichnung", "Land", "Notizen"],
         ["first_name", "last_name", "email", "company", "title", "country", "notes"]),
        (["Nombre", "Apellidos", "Correo electrónico", "Empresa", "Cargo", "País", "Fecha de escaneo"],
         ["first_name", "last_name", "email", "company", "title", "country", "scanned_at"]),
        (["Registration ID", "Full Name", "Work Email", "Organization", "Job Title", "Lead Rating",
          "Scanned By", "Q: Timeline?"],
         ["badge_id", "full_name", "email", "company", "title", "rating", "scanned_by", ""]),
    ],
)  # fmt: skip
def test_headers_in_english_french_german_and_spanish_are_recognised(headers, expected):
    assert guess_mapping(headers, [], LEADS) == expected


def test_an_unnamed_column_of_email_addresses_is_taken_as_the_email():
    samples = [["Ada", "ada@example.org"], ["Li", "li@example.cn"]]
    assert guess_mapping(["Name", "Column B"], samples, LEADS) == ["full_name", "email"]


def test_the_reason_column_of_a_rejected_rows_file_is_left_out():
    assert guess_mapping(["Email", REASON], [], LEADS) == ["email", LEFT_OUT]


def test_a_mapping_that_cannot_say_who_or_names_a_field_twice_is_refused():
    assert mapping_problems(["company", "title"], LEADS) == [
        "No column says who a row is: choose a badge id, an email or a name column."
    ]
    assert "Email is chosen for more than one column." in mapping_problems(["email", "email"], LEADS)
    assert "Unknown field 'salary'." in mapping_problems(["email", "salary"], LEADS)


@pytest.mark.parametrize(
    ("written", "order", "zone", "expected_utc"),
    [
        ("03/31/2024 2:05 PM", MDY, LOS_ANGELES, datetime(2024, 3, 31, 21, 5, tzinfo=UTC)),
        ("31.03.2024 14:05", DMY, TOKYO, datetime(2024, 3, 31, 5, 5, tzinfo=UTC)),
        ("2024-03-31T14:05:00+02:00", "", TOKYO, datetime(2024, 3, 31, 12, 5, tzinfo=UTC)),  # its own offset
        ("2024-03-31 14:05Z", "", LOS_ANGELES, datetime(2024, 3, 31, 14, 5, tzinfo=UTC)),
        ("45382.5", "", TOKYO, datetime(2024, 3, 31, 3, 0, tzinfo=UTC)),  # serial as text: noon in Tokyo
        ("2024/03/31", YMD, LOS_ANGELES, datetime(2024, 3, 31, 7, 0, tzinfo=UTC)),
        ("Mar 31, 2024 9:00 am", "", LOS_ANGELES, datetime(2024, 3, 31, 16, 0, tzinfo=UTC)),
    ],
)
def test_scan_times_in_every_form_land_on_the_right_instant(written, order, zone, expected_utc):
    assert moment(written, order, zone).astimezone(UTC) == expected_utc


def test_the_date_order_is_read_off_the_column_when_a_value_tells():
    assert date_order(["01/02/2024", "13/02/2024"]) == DMY
    assert date_order(["01/02/2024", "02/13/2024"]) == MDY
    assert date_order(["2024-02-01"]) == YMD
    assert date_order(["01/02/2024", "03/04/2024"]) == ""  # ambiguous: the user is asked


def _one(cells, mapping, headers=None):
    headers = headers or [f"H{i}" for i in range(len(cells))]
    return record_of(7, cells, headers, mapping, LEADS, "", TOKYO)


def test_a_row_that_cannot_say_who_is_rejected_with_its_line_and_reason():
    rejected = _one(["", "Acme", "CTO"], ["email", "company", "title"])
    assert isinstance(rejected, Rejected) and rejected.line == 7
    assert rejected.reason == "No badge id, email or name: nothing says who this row is."


def test_a_scan_time_that_is_not_a_date_rejects_the_row_and_says_which_column():
    rejected = _one(["a@b.org", "next Tuesday-ish"], ["email", "scanned_at"], ["Email", "When"])
    assert rejected.reason == "When: 'next Tuesday-ish' is not a date or time near the event."


def test_values_that_fit_no_field_are_kept_as_extra_data_with_a_warning():
    record = _one(["a@b.org", "lukewarm", "Atlantis", "maybe"], ["email", "rating", "country", "consent"],
                  ["Email", "Temp", "Country", "Opt-in"])  # fmt: skip
    assert isinstance(record, Record)
    assert record.extra == {"Temp": "lukewarm", "Country": "Atlantis", "Opt-in": "maybe"}
    assert (record.fields["rating"], record.fields["country"], record.fields["consent"]) == ("", "", None)
    assert len(record.warnings) == 3


def test_hostile_text_is_kept_as_text_and_nul_is_made_visible():
    record = _one(['=HYPERLINK("http://evil.example","x")', "a@b.org", "Ada\x00Lovelace"],
                  ["notes", "email", "full_name"])  # fmt: skip
    assert record.fields["notes"] == '=HYPERLINK("http://evil.example","x")'
    assert record.fields["first_name"] == "Ada\ufffdLovelace"


def test_known_answers_in_several_languages():
    record = _one(
        ["a@b.org", "Chaud", "oui", "Deutschland", "DE"], ["email", "rating", "consent", "", "country"]
    )
    assert (record.fields["rating"], record.fields["consent"], record.fields["country"]) == (
        "hot",
        True,
        "DE",
    )


@given(
    st.lists(st.one_of(st.none(), st.text(max_size=30), st.integers(), st.floats(allow_nan=True)), max_size=8)
)
def test_any_row_is_read_or_rejected_never_an_error(cells):
    mapping = ["badge_id", "first_name", "email", "scanned_at", "rating", "consent", "country", ""][
        : len(cells)
    ]
    result = _one(cells, mapping)
    assert isinstance(result, Record | Rejected)
    if isinstance(result, Rejected):
        assert result.reason


def test_fold_makes_headers_comparable():
    assert fold("E-Mail Adresse") == "emailadresse"
    assert fold("  Prénom ") == "prenom"


@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)).map(lambda d: d.replace(microsecond=0)),
    st.sampled_from([(DMY, "%d/%m/%Y %H:%M:%S"), (MDY, "%m/%d/%Y %I:%M:%S %p"), (YMD, "%Y-%m-%d %H:%M:%S"),
                     (DMY, "%d.%m.%Y %H:%M:%S"), (MDY, "%m-%d-%Y %H:%M:%S")]),
)  # fmt: skip
def test_numeric_dates_read_back_to_the_instant_written_in_their_order(when, form):
    order, pattern = form
    assert moment(when.strftime(pattern), order, TOKYO) == when.replace(tzinfo=TOKYO)


WINDOW = (datetime(2023, 3, 1, tzinfo=UTC), datetime(2025, 3, 31, tzinfo=UTC))


@pytest.mark.parametrize(
    "written", ["Mon", "today", "9999-12-31 23:30", "0001-01-01 00:10", "03/31/2031 9:00 AM"]
)
def test_times_that_are_no_scan_time_of_the_event_are_rejected_not_stored(written):
    row = record_of(3, ["a@b.org", written], ["Email", "When"], ["email", "scanned_at"], LEADS, "", LOS_ANGELES,
                    WINDOW)  # fmt: skip
    assert isinstance(row, Rejected) and row.reason.endswith("is not a date or time near the event.")


def test_columns_with_the_same_header_keep_each_value():
    from tracker.imports.values import labels

    names = labels(["Email", "Question", "Answer", "Question", "Answer", ""])
    assert names == ["Email", "Question", "Answer", "Question (2)", "Answer (2)", "Column 6"]
    # A header that is itself "Notes (2)", or "Column 3", never takes another column's name.
    assert labels(["Notes", "Notes", "Notes (2)", "Notes", "", "Column 5"]) == [
        "Notes", "Notes (2)", "Notes (2) (2)", "Notes (3)", "Column 5", "Column 5 (2)"]  # fmt: skip
    row = record_of(2, ["a@b.org", "Timeline?", "Q3", "Clusters?", "40", "x"], names, ["email", "", "", "", "", ""],
                    LEADS, "", TOKYO)  # fmt: skip
    assert row.extra == {"Question": "Timeline?", "Answer": "Q3", "Question (2)": "Clusters?", "Answer (2)": "40",
                         "Column 6": "x"}  # fmt: skip


def test_an_attendee_row_with_only_a_badge_id_is_rejected_with_its_reason():
    row = record_of(4, ["KC-9", ""], ["Badge", "Email"], ["badge_id", "email"], "attendees", "", TOKYO)
    assert (
        isinstance(row, Rejected)
        and row.reason == "Only a badge id: an attendee needs a name or an email too."
    )


@pytest.mark.parametrize("encoding", ["rot13", "hex", "base64", "idna", "zlib"])
def test_a_codec_that_is_no_text_encoding_is_refused_with_a_reason(tmp_path, encoding):
    with pytest.raises(UnreadableFile, match="name a text encoding"):
        _read(_text_file(tmp_path, "utf-8", ","), encoding=encoding)


def test_reading_ahead_gives_every_row_in_order_and_raises_where_the_file_breaks():
    import threading

    from tracker.imports.reading import UnreadableFile, read_ahead

    def rows(broken_at=None):
        for n in range(1, 50):
            if n == broken_at:
                raise UnreadableFile(f"Line {n} cannot be read.")
            yield n

    with read_ahead(rows()) as items:
        assert list(items) == list(range(1, 50))
    got = []
    with pytest.raises(UnreadableFile, match="Line 7"), read_ahead(rows(broken_at=7), depth=1) as items:
        for item in items:
            got.append(item)
    assert got == [1, 2, 3, 4, 5, 6]  # every row before the broken one, then its error
    assert not [t for t in threading.enumerate() if t.name == "import-read-ahead"]


def test_leaving_early_stops_the_reader_and_closes_the_file():
    import itertools
    import threading

    from tracker.imports.reading import read_ahead

    closed = []

    def endless():
        try:
            yield from itertools.count()
        finally:
            closed.append(True)

    with read_ahead(endless()) as items:
        assert next(items) == 0
    assert closed == [True]
    assert not [t for t in threading.enumerate() if t.name == "import-read-ahead"]


def test_a_file_wider_than_any_table_is_refused_with_where_to_look(tmp_path):
    """A stray cell in a sheet's last column (XFD) or a line of 100,000 separators would make every row that
    wide; trailing empty columns are let through, anything past column 500 is said."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Email", "First name"])
    sheet.append(["a@example.org", "Ada"])
    sheet["XFD3"] = "stray"
    book.save(tmp_path / "wide.xlsx")
    with pytest.raises(UnreadableFile, match="as far as column XFD"):
        list(_read(tmp_path / "wide.xlsx").rows())
    wide = tmp_path / "wide.csv"
    wide.write_text("Email,First name" + "," * 100_000 + "x\na@example.org,Ada\n")
    with pytest.raises(UnreadableFile, match="at most 500 columns"):
        _read(wide)
    trailing = tmp_path / "trailing.csv"
    trailing.write_text("Email,First name" + "," * 2_000 + "\na@example.org,Ada" + "," * 2_000 + "\n")
    assert [cells[:2] for _, cells in _read(trailing).rows()] == [["a@example.org", "Ada"]]
