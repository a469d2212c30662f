"""Import an organiser's lead file (CSV or XLSX) into a sponsorship: ``manage.py import_leads FILE
--sponsorship ID [--dry-run] [--preset NAME]``."""

from django.core.management.base import CommandError, CommandParser

from tracker.imports.command import ImportCommand
from tracker.models import ImportJob, Sponsorship


class Command(ImportCommand):
    help = "Import a lead file into a sponsorship (the web import's steps, with a summary)."
    kind = "leads"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--sponsorship", type=int, required=True)

    def job(self, options) -> ImportJob:
        sponsorship = (
            Sponsorship.objects.select_related("event", "sponsor").filter(pk=options["sponsorship"]).first()
        )
        if sponsorship is None:
            raise CommandError(f"No sponsorship {options['sponsorship']}.")
        return ImportJob(sponsorship=sponsorship, event=sponsorship.event)
