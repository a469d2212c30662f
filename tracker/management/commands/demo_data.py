"""Write the deterministic demo fixture, or check that the committed one is up to date."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker import demo


class Command(BaseCommand):
    help = "Generate the seeded demo data set as a JSON fixture (load it with `loaddata`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=Path(settings.BASE_DIR) / "fixtures" / "demo.json")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
        parser.add_argument(
            "--check", action="store_true", help="Regenerate in memory; fail if the file at --output differs."
        )

    def handle(self, *args, output: Path, seed: int, check: bool, **options) -> None:
        content = demo.render(demo.build(seed))
        if check:
            if not output.exists() or output.read_bytes() != content:
                raise CommandError(f"{output} is not what seed {seed} generates; run `manage.py demo_data`.")
            self.stdout.write(f"{output} is up to date.")
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(content)
        self.stdout.write(f"Wrote {output} ({len(content):,} bytes, seed {seed}).")
