"""Load the demo data once and print demo logins (demo mode only)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker.models import Event, Lead, StaffMember
from tracker.models.choices import PermissionLevel
from tracker.scans.matching import leads_recount
from tracker.scoring.service import scores_sweep

DEMO_FIXTURE = settings.BASE_DIR / "fixtures" / "demo.json"
DEMO_EVENT = "kubecon-eu-2024"


class Command(BaseCommand):
    help = "Load the fictional demo data (once) and print a demo login for each kind of user."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("demo_setup only runs with DEMO_MODE=1; it prints passwords.")
        if Event.objects.filter(slug=DEMO_EVENT).exists():
            self.stdout.write("Demo data already loaded; keeping what is there.")
        else:
            self.stdout.write("Loading demo data ...")
            call_command("loaddata", str(DEMO_FIXTURE), verbosity=0)
            # Each lead's counters and consent (with how and by whom) as its scans say, as after matching.
            leads_recount(Lead.objects.values_list("pk", flat=True))
        scored = scores_sweep(limit=1_000_000)
        if scored:
            self.stdout.write(f"Scored {scored} leads under their sponsors' published ICPs.")
        with transaction.atomic():
            logins = self._logins()
        self.stdout.write(self.style.SUCCESS("\nDemo logins (fresh passwords each run, demo mode only):"))
        for label, username, password in logins:
            self.stdout.write(f"  {label:<28} username: {username:<32} password: {password}")
        self.stdout.write("")

    def _logins(self) -> list[tuple[str, str, str]]:
        User = get_user_model()
        admin, _ = User.objects.get_or_create(
            username="demo-admin",
            defaults={"first_name": "Demo", "last_name": "Admin", "email": "admin@demo.example"},
        )
        admin.is_staff = admin.is_superuser = True
        logins = [("Admin (Django admin)", admin)]
        booth_staff = StaffMember.objects.filter(
            level=PermissionLevel.BOOTH, sponsorships__event__slug=DEMO_EVENT, sponsorships__has_booth=True
        )
        manager = (
            StaffMember.objects.filter(
                level=PermissionLevel.MANAGER, sponsor__sponsorships__event__slug=DEMO_EVENT
            )
            .select_related("user", "sponsor")
            .order_by("sponsor__name", "pk")
            .first()
        )
        if manager:
            logins.append((f"Manager at {manager.sponsor}", manager.user))
            booth_staff = booth_staff.filter(sponsor=manager.sponsor)
        booth = booth_staff.select_related("user").order_by("pk").first()
        if booth:
            logins.append(("Booth staff", booth.user))
        printed = []
        for label, user in logins:
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.is_active = True
            user.save()
            printed.append((label, user.get_username(), password))
        return printed
