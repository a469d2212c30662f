"""What ``manage.py import_attendees`` and ``import_leads`` share: the web import's own steps (upload,
mapping, dry run or import) run in the terminal, with a summary at the end."""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from tracker.imports.columns import fields_of
from tracker.imports.jobs import MappingError, job_map, job_run
from tracker.imports.mapping import suggested
from tracker.imports.reading import UnreadableFile
from tracker.imports.service import local_path, open_table
from tracker.imports.values import DATE_ORDERS
from tracker.models import ImportJob, ImportPreset
from tracker.models.imports import ImportStatus

SHOWN_REJECTS = 20


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Show what would happen; write nothing.")
        parser.add_argument("--preset", default="", help="Map the columns as this saved preset does.")
        parser.add_argument(
            "--encoding", default="", help="The text file's encoding, if not the one detected."
        )
        parser.add_argument("--date-order", choices=sorted(DATE_ORDERS), default=None,
                            help="How numeric dates are written, if the file does not tell.")  # fmt: skip
        parser.add_argument("--map", action="append", default=[], metavar="HEADER=FIELD",
                            help=f"Map a column to a field (or to nothing with HEADER=); fields: {', '.join(fields_of('leads'))}")  # fmt: skip

    def job(self, options) -> ImportJob:
        raise NotImplementedError

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        job = self.job(options)
        job.kind, job.file_name, job.encoding = self.kind, path.name[:200], options["encoding"]
        with path.open("rb") as handle:
            job.file.save(path.name, File(handle), save=True)
        try:
            with local_path(job.file) as stored:
                table = open_table(stored, job.encoding)
            mapping, order, preset = self._mapping(job, table, options)
            job_map(job, mapping=mapping, date_order=order, headers=table.headers)
            if preset is not None:
                job.preset = preset
                job.save(update_fields=["preset"])
        except (UnreadableFile, MappingError) as error:
            raise CommandError(str(error)) from error
        self._describe(table, job)
        job_run(job, dry_run=options["dry_run"])
        self._summary(job, options["dry_run"])

    def _mapping(self, job: ImportJob, table, options) -> tuple[list[str], str, ImportPreset | None]:
        mapping, order, preset = suggested(table, self.kind, job.sponsor_id, job.sponsorship_id)
        if options["preset"]:
            preset = (
                ImportPreset.objects.filter(kind=self.kind, name=options["preset"])
                .filter(Q(sponsor_id=job.sponsor_id) | Q(sponsor__isnull=True))
                .order_by("sponsor_id")
                .first()
            )
            if preset is None or len(preset.mapping) != len(table.headers):
                raise CommandError(f"No preset {options['preset']!r} for a file with these columns.")
            mapping, order = list(preset.mapping), preset.date_order
        for item in options["map"]:
            header, _, field = item.partition("=")
            if header not in table.headers:
                raise CommandError(f"No column {header!r}; the columns are: {', '.join(table.headers)}")
            mapping[table.headers.index(header)] = field.strip()
        return mapping, options["date_order"] or order, preset

    def _describe(self, table, job: ImportJob) -> None:
        how = f"{table.kind.upper()}"
        if table.kind == "csv":
            guessed = " (detected: check it)" if table.encoding_detected else ""
            how += f", {table.encoding}{guessed}, delimiter {table.delimiter!r}"
        self.stdout.write(f"Read {job.file_name}: {how}, header on line {table.header_line}.")
        for header, field in zip(table.headers, job.mapping, strict=True):
            self.stdout.write(f"  {header or '(no name)'} -> {field or 'kept as extra data'}")

    def _summary(self, job: ImportJob, dry_run: bool) -> None:
        if job.status == ImportStatus.FAILED:
            raise CommandError(job.error)
        tally = job.checked if dry_run else job.outcome
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {tally['rows']} rows: {tally['new']} new, {tally['merged']} merged, "
            + (f"{tally['unknown']} unknown badges, " if tally.get("unknown") else "")
            + f"{tally['unchanged']} unchanged, {tally['rejected']} rejected."
        )
        for line, reason in tally["rejects"][:SHOWN_REJECTS]:
            self.stdout.write(f"  line {line}: {reason}")
        if tally["rejected"]:
            self.stdout.write(
                f"Rejected rows, with their reason: {job.rejected_file.name} (import job {job.pk})."
            )
        if len(tally["warnings"]):
            self.stdout.write(
                f"{len(tally['warnings'])} values kept as extra data (see the report of job {job.pk})."
            )
