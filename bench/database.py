"""What the benchmarks share about their PostgreSQL database: creating it, loading data sets with COPY,
and the marker rows that let a built data set be reused by later runs."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable


def ensure_database(log: Callable[[str], None] = print, fresh: bool = False) -> None:
    """Create the PostgreSQL database of DATABASE_URL if it does not exist yet (Django set up already);
    ``fresh``: drop it first (a benchmark whose earlier runs' rows would slow the next one down)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {"dbname": "postgres", "user": db.get("USER") or None, "password": db.get("PASSWORD") or None,
              "host": db.get("HOST") or None, "port": db.get("PORT") or None}  # fmt: skip
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            log(f"creating the database {db['NAME']}")
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def prepare_database(
    log: Callable[[str], None], script: str, why: str, example: str, fresh: bool = False
) -> None:
    """Refuse anything but PostgreSQL, create the database if missing (``fresh``: anew) and migrate it
    (Django set up)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(
            f"bench/{script}.py needs PostgreSQL ({why}): set "
            f"DATABASE_URL=postgres://postgres@127.0.0.1:5432/{example}; "
            f"the configured database is {connection.vendor} ({settings.DATABASES['default']['NAME']})."
        )
    ensure_database(log, fresh)
    call_command("migrate", verbosity=0)


def raw_connection():
    """Django's own psycopg connection (same transaction as the ORM)."""
    from django.db import connection

    return connection.cursor().connection


def vacuum_analyze(*tables: str) -> None:
    """Clear dead rows and refresh the planner's statistics of ``tables`` (PostgreSQL only)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")


def reserve_ids(cursor, table: str, count: int) -> int:
    """The first of ``count`` consecutive ids taken from the table's identity sequence."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, %s)", [sequence, first + count])
    return first


def escape(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class Copier:
    """COPY rows into a table, in the text format. Rows are spooled to a temporary file and sent on
    ``close()``: one connection runs one COPY at a time, and a build may generate the rows of several
    tables together (a lead and its scans)."""

    def __init__(self, cursor, table: str, columns: list[str]):
        self.cursor, self.sql = cursor, f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.buffer: list[str] = []
        self.count = 0

    def row(self, *values) -> None:
        self.buffer.append("\t".join(map(escape, values)))
        self.count += 1
        if len(self.buffer) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.file.write("\n".join(self.buffer) + "\n")
            self.buffer.clear()

    def close(self) -> int:
        """Send the rows; returns how many."""
        self.flush()
        self.file.seek(0)
        with self.cursor.copy(self.sql) as copy:
            while block := self.file.read(1 << 20):
                copy.write(block)
        self.file.close()
        return self.count


def copy_rows(cursor, table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY an iterable of tuples into ``table``; returns how many."""
    copier = Copier(cursor, table, columns)
    for row in rows:
        copier.row(*row)
    return copier.close()


class Markers:
    """The data sets a benchmark built and keeps for later runs: a marker row each, in the bench's table.

    A data set's sponsor and event have its tag as slug; its row names the sponsor or the sponsorship
    (``owner``) the bench measures. The row is written once the build is done, so a half-built data set has
    none and is dropped and built again; ``data_version`` does the same for data of an older shape.
    """

    def __init__(self, table: str, prefix: str, data_version: int, owner: str, counts: tuple[str, ...],
                 log: Callable[[str], None]):  # fmt: skip
        assert owner in ("sponsor", "sponsorship")
        self.table, self.prefix, self.data_version = table, prefix, data_version
        self.owner, self.counts, self.log = owner, counts, log

    def tag(self, n: int) -> str:
        return f"{self.prefix}-{n}"

    def ensure_table(self) -> None:
        from django.db import connection

        counts = "".join(f" {name} int," for name in self.counts)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (tag text PRIMARY KEY, leads int,{counts}"
                f" data_version int, {self.owner}_id bigint, built_at timestamptz, build_seconds float)"
            )

    def find(self, n: int) -> tuple | None:
        """(owner id, *counts) of a complete data set of ``n`` leads, or None."""
        from django.db import connection

        self.ensure_table()
        counts = "".join(f", m.{name}" for name in self.counts)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.{self.owner}_id{counts} FROM {self.table} m"
                f" JOIN tracker_{self.owner} o ON o.id = m.{self.owner}_id"
                " WHERE m.tag = %s AND m.leads = %s AND m.data_version = %s",
                [self.tag(n), n, self.data_version],
            )
            return cursor.fetchone()

    def record(self, n: int, owner_id: int, seconds: float, **counts: int) -> None:
        from django.db import connection

        names = ["tag", "leads", *self.counts, "data_version", f"{self.owner}_id", "build_seconds"]
        values = [
            self.tag(n),
            n,
            *(counts[name] for name in self.counts),
            self.data_version,
            owner_id,
            seconds,
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.table} ({', '.join(names)}, built_at)"
                f" VALUES ({', '.join(['%s'] * len(values))}, now())",
                values,
            )

    def drop(self, n: int) -> None:
        """Remove the data set of ``n`` leads (half-built or outdated) with plain SQL, children first: the
        sponsor and event of its tag, what hangs from them, and its staff's users."""
        from django.db import connection, transaction

        tag = self.tag(n)
        self.ensure_table()
        booths = "SELECT id FROM tracker_sponsorship WHERE sponsor_id = %s"
        leads = f"SELECT id FROM tracker_lead WHERE sponsorship_id IN ({booths})"
        icps = "SELECT id FROM tracker_idealcustomerprofile WHERE sponsor_id = %s"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE tag = %s", [tag])
            cursor.execute("SELECT id FROM tracker_sponsor WHERE slug = %s", [tag])
            sponsor = cursor.fetchone()
            if sponsor:
                self.log(f"dropping the old data set {tag}")
                for sql in (
                    f"DELETE FROM tracker_followupchange WHERE follow_up_id IN (SELECT id FROM tracker_followup WHERE lead_id IN ({leads}))",
                    f"DELETE FROM tracker_followup WHERE lead_id IN ({leads})",
                    f"DELETE FROM tracker_leadscore WHERE lead_id IN ({leads})",
                    f"DELETE FROM tracker_scan WHERE sponsorship_id IN ({booths})",
                    f"DELETE FROM tracker_lead WHERE sponsorship_id IN ({booths})",
                    f"DELETE FROM tracker_rescorejob WHERE icp_id IN ({icps})",
                    f"DELETE FROM tracker_icpcriterion WHERE icp_id IN ({icps})",
                    "DELETE FROM tracker_idealcustomerprofile WHERE sponsor_id = %s",
                    "DELETE FROM tracker_account WHERE sponsor_id = %s",
                    "DELETE FROM tracker_staffmember_sponsorships WHERE staffmember_id IN (SELECT id FROM tracker_staffmember WHERE sponsor_id = %s)",
                    "DELETE FROM tracker_staffmember WHERE sponsor_id = %s",
                    f"DELETE FROM tracker_sponsorship_themes WHERE sponsorship_id IN ({booths})",
                    f"DELETE FROM tracker_costline WHERE sponsorship_id IN ({booths})",
                    "DELETE FROM tracker_sponsorship WHERE sponsor_id = %s",
                    "DELETE FROM tracker_sponsor WHERE id = %s",
                ):  # fmt: skip
                    cursor.execute(sql, [sponsor[0]])
            cursor.execute("DELETE FROM auth_user WHERE username LIKE %s", [f"{tag}-staff-%"])
            cursor.execute("SELECT id FROM tracker_event WHERE slug = %s", [tag])
            event = cursor.fetchone()
            if event:
                cursor.execute("DELETE FROM tracker_attendee WHERE event_id = %s", [event[0]])
                cursor.execute("DELETE FROM tracker_sponsorship WHERE event_id = %s", [event[0]])
                cursor.execute("DELETE FROM tracker_event WHERE id = %s", [event[0]])
