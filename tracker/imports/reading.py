"""An uploaded lead file or attendee list, read into rows of cells whatever shape its platform gave it.

Text files (CSV, TSV, the ".csv" event platforms write): the encoding from a byte-order mark, else UTF-8
when the start of the file decodes as UTF-8, else charset-normalizer's guess (Windows-1252, Latin-1 and
the like), which the user confirms on the mapping screen and may change (``encoding=``); the delimiter
sniffed among comma, semicolon, tab and pipe; quoted fields with embedded newlines read by ``csv``.
XLSX: openpyxl in read-only mode (it streams rows, so memory stays flat however long the sheet), the
first sheet, dates as datetimes and numbers as numbers.

The header row is the first of the first lines that names the most known columns (title lines and
blank lines above it are skipped). Rows are read lazily, each with its line number in the file, so a
rejected row can be pointed at; ``read_ahead`` reads the next ones in a thread while an import writes.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from pathlib import Path
from queue import Full, Queue
from threading import Event, Thread
from typing import TypeVar

SAMPLE_BYTES = 256 * 1024
HEADER_SEARCH_ROWS = 20
DELIMITERS = ",;\t|"
# One cell is never the reason a file cannot be read (the csv module's own limit is 128 KiB): a row whose
# value is too long for its field is rejected with that reason, the rest imported. The upload's own size
# limit bounds it.
csv.field_size_limit(2**31 - 1)
# The most columns a file may have: a lead file or attendee list has dozens. More (a stray cell in a
# sheet's last column, a line of 100,000 separators) would make every row that wide on every page and in
# the mapping form, which could not be sent; such a file is refused with where to look.
MAX_COLUMNS = 500
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
XLSX_MAGIC = b"PK\x03\x04"
T = TypeVar("T")


class UnreadableFile(ValueError):
    """The file cannot be read as a table; the message says why, for the user."""


@dataclass
class Table:
    """What was read: how, where the header is, and the rows after it."""

    kind: str  # "csv" or "xlsx"
    headers: list[str]
    header_line: int  # 1-based, in the file
    encoding: str = ""  # text files only
    encoding_detected: bool = False  # True when guessed (no BOM, not UTF-8): to be confirmed
    delimiter: str = ""
    samples: list[list] = field(default_factory=list)  # the first rows after the header
    _rows: Callable[[], Iterator[tuple[int, list]]] | None = field(default=None, repr=False)
    _resume: Iterator[tuple[int, list]] | None = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[int, list]]:
        """(line number, cells) of each non-blank row after the header: the first time on from where the
        header was found (opening a workbook reads all its shared strings: seconds for a large one), then
        read afresh from the file."""
        resume, self._resume = self._resume, None
        if resume is not None:
            return resume
        assert self._rows is not None
        return self._rows()


def is_blank(cells: list) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def detect_encoding(sample: bytes) -> tuple[str, bool]:
    """(encoding, guessed): from a byte-order mark, UTF-8 if the sample decodes, else charset-normalizer."""
    for bom, name in BOMS:
        if sample.startswith(bom):
            return name, False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8", False
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        return "cp1252", True
    # Among equally likely guesses, and encodings that read the sample the same (a few accented Western
    # names read alike in cp1250 and cp1252), the one Western spreadsheets write: the usual case. The user
    # is asked to confirm anyway.
    tied = {
        name
        for match in matches
        if (match.chaos, match.coherence) == (best.chaos, best.coherence)
        for name in (match.encoding, *match.could_be_from_charset)
    }
    return ("cp1252" if "cp1252" in tied else best.encoding), True


def _sniff(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sum(line.count(d) for line in lines) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _text_rows(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list]]:
    with open(path, encoding=encoding, newline="", errors="strict") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        start = 1
        try:
            for cells in reader:
                yield start, _within(start, cells)
                start = reader.line_num + 1
        except UnicodeError as error:  # undecodable, or a UTF-16 or UTF-32 file without its BOM
            raise UnreadableFile(
                f"The file is not {encoding} near line {start}: choose its encoding and read it again."
            ) from error
        except csv.Error as error:
            raise UnreadableFile(f"Line {start} cannot be read: {error}.") from error


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # a damaged or password-protected workbook
        raise UnreadableFile(f"The workbook cannot be opened: {error}.") from error
    number = 0
    try:
        sheet = workbook.worksheets[0]
        # A sheet whose cells run past MAX_COLUMNS (a stray one in its last column, 16,384) is said before
        # any row is read: every row would be read that wide, and what lies past the table cannot be dropped.
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise _too_wide(f"The sheet has cells as far as column {get_column_letter(sheet.max_column)}")
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, _within(number, list(cells))
    except UnreadableFile:
        raise
    except Exception as error:  # a damaged sheet inside a sound zip: said, with where it broke
        raise UnreadableFile(f"The workbook's sheet cannot be read after row {number}: {error}.") from error
    finally:
        workbook.close()


def _within(number: int, cells: list) -> list:
    """A row's cells, without trailing empty ones past ``MAX_COLUMNS``; refused if still wider."""
    if len(cells) > MAX_COLUMNS:
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        if len(cells) > MAX_COLUMNS:
            raise _too_wide(f"Row {number} has something in column {len(cells)}")
    return cells


def _too_wide(where: str) -> UnreadableFile:
    return UnreadableFile(
        f"{where}: a file of at most {MAX_COLUMNS} columns is taken. Delete what lies beyond the table's last "
        "column and upload it again."
    )


def read_table(path: Path, score_header: Callable[[list], int], encoding: str | None = None) -> Table:
    """Open ``path`` and find its header: the first row among the first ones that ``score_header``
    rates highest (how many known column names it holds). Raises ``UnreadableFile``."""
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if not sample.strip():
        raise UnreadableFile("The file is empty.")
    if sample.startswith(XLSX_MAGIC):
        table = Table(kind="xlsx", headers=[], header_line=0)
        source = partial(_xlsx_rows, path)
    else:
        guessed = False
        if not encoding:
            encoding, guessed = detect_encoding(sample)
        try:
            text = sample.decode(encoding, errors="replace")  # also refuses codecs that are not text
        except (LookupError, UnicodeError, TypeError, ValueError) as error:
            raise UnreadableFile(f"Unknown encoding {encoding!r}: name a text encoding.") from error
        if "\x00" in text:
            raise UnreadableFile("This looks like a binary file, not a table (CSV or XLSX).")
        delimiter = _sniff(text)
        table = Table(kind="csv", headers=[], header_line=0, encoding=encoding, encoding_detected=guessed,
                      delimiter=delimiter)  # fmt: skip
        source = partial(_text_rows, path, encoding, delimiter)
    first = []
    reading = source()
    for number, cells in reading:
        if not is_blank(cells):
            first.append((number, cells))
        if len(first) >= HEADER_SEARCH_ROWS:
            break
    if not first:
        raise UnreadableFile("The file has no rows.")
    scores = [score_header(cells) for _, cells in first]
    at = max(range(len(first)), key=lambda i: (scores[i], -i))
    header_line, header = first[at]
    table.header_line = header_line
    table.headers = [_header_text(cell) for cell in header]
    table.samples = [cells for _, cells in first[at + 1 : at + 6]]
    table._rows = partial(_after, source, header_line)
    table._resume = chain(first[at + 1 :], ((n, cells) for n, cells in reading if not is_blank(cells)))
    return table


def _header_text(cell) -> str:
    return "" if cell is None else str(cell).strip()


def _after(source, header_line: int) -> Iterator[tuple[int, list]]:
    for number, cells in source():
        if number > header_line and not is_blank(cells):
            yield number, cells


@contextmanager
def read_ahead(items: Iterator[T], depth: int = 2) -> Iterator[Iterator[T]]:
    """``items``, produced by a thread of their own up to ``depth`` ahead of the code consuming them.

    An import reads and parses a chunk of rows in pure Python, then waits on the database while it writes
    the chunk; the wait lets the next chunk be read meanwhile (bench/imports.py: a 100,000-row XLSX
    import went from 3.1x its floor to 2.8-2.9x; 35.4 to 30.6 s when measured on its own). The producer
    touches no database connection: it only reads the file and turns rows into values. An error it meets
    (an unreadable row, a damaged sheet) is raised to the consumer where the item would have come;
    leaving the block early stops it after the item it is on. In memory: ``depth`` items waiting, one
    being made and one being used.
    """
    end = object()
    ready: Queue = Queue(maxsize=depth)
    stop = Event()

    def put(entry: tuple) -> bool:
        while not stop.is_set():
            try:
                ready.put(entry, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((end, None))
        except BaseException as error:  # handed over to the consumer, raised there
            put((end, error))

    def consume() -> Iterator[T]:
        while True:
            item, error = ready.get()
            if item is end:
                if error is not None:
                    raise error
                return
            yield item

    producer = Thread(target=produce, name="import-read-ahead", daemon=True)
    producer.start()
    try:
        yield consume()
    finally:
        stop.set()
        producer.join()
        if hasattr(items, "close"):  # a generator left early closes its file now, not when collected
            items.close()
