"""Import an event's attendee list (CSV or XLSX): ``manage.py import_attendees FILE --event ID
[--dry-run] [--preset NAME]``."""

from django.core.management.base import CommandError, CommandParser

from tracker.imports.command import ImportCommand
from tracker.models import Event, ImportJob


class Command(ImportCommand):
    help = "Import an event's attendee list (the web import's steps, with a summary)."
    kind = "attendees"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--event", type=int, required=True)

    def job(self, options) -> ImportJob:
        event = Event.objects.filter(pk=options["event"]).first()
        if event is None:
            raise CommandError(f"No event {options['event']}.")
        return ImportJob(event=event)
