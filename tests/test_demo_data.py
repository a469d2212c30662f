"""The seeded demo data set: generated deterministically, loads cleanly, shows what the product promises."""

import io
import json
import re
from collections import Counter, defaultdict
from datetime import time, timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Max, Min

from tests.conftest import DEMO_FIXTURE
from tracker import models as m
from tracker.badges import parse_badge
from tracker.demo.badges import vcard
from tracker.demo.pools import EVENTS
from tracker.models.choices import FollowUpStatus, StaffRole

NON_LATIN = re.compile(
    r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]"
)


def row_counts() -> dict[str, int]:
    """Rows per tracker model, users, and the two many-to-many tables."""
    counts = {
        model._meta.label: model.objects.count() for model in apps.get_app_config("tracker").get_models()
    }
    counts["users"] = get_user_model().objects.count()
    counts["roster"] = m.StaffMember.sponsorships.through.objects.count()
    counts["sponsorship themes"] = m.Sponsorship.themes.through.objects.count()
    return counts


# Generation: no database needed.


def test_same_seed_writes_identical_bytes_and_another_seed_differs(tmp_path):
    paths = [tmp_path / "a.json", tmp_path / "b.json", tmp_path / "other.json"]
    call_command("demo_data", output=paths[0], verbosity=0)
    call_command("demo_data", output=paths[1], verbosity=0)
    call_command("demo_data", output=paths[2], seed=7, verbosity=0)

    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


def test_committed_fixture_is_what_the_default_seed_generates():
    call_command("demo_data", check=True, verbosity=0)  # raises CommandError when stale


def test_check_fails_on_a_stale_or_missing_file(tmp_path):
    stale = tmp_path / "demo.json"
    stale.write_bytes(DEMO_FIXTURE.read_bytes().replace(b"Paris", b"Lyon", 1))

    with pytest.raises(CommandError, match="not what seed 2024 generates"):
        call_command("demo_data", check=True, output=stale, verbosity=0)
    with pytest.raises(CommandError):
        call_command("demo_data", check=True, output=tmp_path / "missing.json", verbosity=0)


def test_fixture_is_one_object_per_line_with_fixed_keys():
    lines = DEMO_FIXTURE.read_text(encoding="utf-8").splitlines()

    assert lines[0] == "[" and lines[-1] == "]"
    objects = [json.loads(line.rstrip(",")) for line in lines[1:-1]]
    assert all(list(obj) == ["fields", "model", "pk"] for obj in objects)
    assert all(isinstance(obj["pk"], int) for obj in objects)


def test_no_value_is_left_to_a_wall_clock_default_at_load_time():
    """Every date/time field that would default to "now" is written out, so a load is reproducible."""
    present: dict[str, set[str]] = defaultdict(set)
    missing: dict[str, set[str]] = defaultdict(set)
    for obj in json.loads(DEMO_FIXTURE.read_bytes()):
        model = apps.get_model(obj["model"])
        for field in model._meta.concrete_fields:
            clock = (
                getattr(field, "auto_now", False)
                or getattr(field, "auto_now_add", False)
                or field.has_default()
            )
            if field.get_internal_type() in ("DateTimeField", "DateField") and clock:
                (present if field.name in obj["fields"] else missing)[obj["model"]].add(field.name)

    assert dict(missing) == {}
    assert "received_at" in present["tracker.scan"] and "date_joined" in present["auth.user"]


def test_datetimes_are_utc_as_django_writes_them():
    text = DEMO_FIXTURE.read_text(encoding="utf-8")
    stamps = re.findall(r'"(?:device_scanned_at|received_at|created_at|changed_at)":"([^"]+)"', text)

    assert len(stamps) > 10_000
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", s) for s in stamps)


def test_vcard_lines_are_folded_at_75_octets_and_text_escaped():
    attendee = {"first_name": "Zoë", "last_name": "O'Brien", "company": "Acme, Inc.",
                "title": "CTO & Co-founder", "email": "", "phone": "", "city": "Saint-Étienne", "country": "FR",
                "badge_id": "KCEU24-123456"}  # fmt: skip

    card = vcard(attendee, False, EVENTS[0], "All-Access Pass")

    assert card.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n") and card.endswith("END:VCARD\r\n")
    assert "ORG:Acme\\, Inc." in card and "\r\n " in card
    assert all(len(line.encode()) <= 75 for line in card.split("\r\n"))
    unfolded = card.replace("\r\n ", "")
    assert (
        "NOTE:KubeCon + CloudNativeCon Europe 2024\\, Paris\\, 2024-03-19 to 2024-03-22\\; All-Access"
        in unfolded
    )


# The loaded data set.


@pytest.mark.django_db
class TestLoadedDemoData:
    @pytest.fixture(autouse=True)
    def _loaded(self, demo_data):
        pass

    def test_both_kubecons_with_dates_currency_and_time_zone(self):
        eu = m.Event.objects.get(slug="kubecon-eu-2024")
        na = m.Event.objects.get(slug="kubecon-na-2024")

        assert (eu.name, eu.city, eu.country, eu.region) == (
            "KubeCon + CloudNativeCon Europe 2024",
            "Paris",
            "FR",
            "EU",
        )
        assert (str(eu.start_date), str(eu.end_date), eu.time_zone, eu.currency) == (
            "2024-03-19", "2024-03-22", "Europe/Paris", "EUR")  # fmt: skip
        assert eu.expected_attendance == 12000
        assert (na.city, na.country, na.region, na.time_zone, na.currency) == (
            "Salt Lake City", "US", "NA", "America/Denver", "USD")  # fmt: skip
        assert (str(na.start_date), str(na.end_date), na.expected_attendance) == (
            "2024-11-12",
            "2024-11-15",
            9000,
        )

    def test_about_a_hundred_sponsors_in_a_tier_pyramid(self):
        tiers = Counter(m.Sponsorship.objects.values_list("tier", flat=True))

        assert 90 <= m.Sponsor.objects.count() <= 110
        assert tiers["diamond"] < tiers["platinum"] < tiers["gold"] < tiers["silver"]
        assert tiers["startup"] > tiers["gold"] and tiers["end_user"] and tiers["community"]
        assert not m.Sponsor.objects.filter(interest_options=[]).exists()
        assert set(m.Sponsor.objects.values_list("reporting_currency", flat=True)) == {"EUR", "USD"}

    def test_most_sponsor_both_events_and_regulars_skip_a_booth_with_a_reason(self):
        events_per_sponsor = Counter(m.Sponsorship.objects.values_list("sponsor", flat=True))
        no_booth = m.Sponsorship.objects.filter(has_booth=False)
        with_booth = set(m.Sponsorship.objects.filter(has_booth=True).values_list("sponsor", flat=True))
        regulars = [
            s for s in no_booth if events_per_sponsor[s.sponsor_id] == 2 and s.sponsor_id in with_booth
        ]

        assert sum(n == 2 for n in events_per_sponsor.values()) > 0.6 * len(events_per_sponsor)
        assert sum(n == 1 for n in events_per_sponsor.values()) >= 10
        assert no_booth.exists() and not no_booth.filter(no_booth_reason="").exists()
        assert (
            not no_booth.filter(no_booth_detail="").exists()
            and not no_booth.exclude(booth_number="").exists()
        )
        assert not m.Sponsorship.objects.filter(has_booth=True).exclude(no_booth_reason="").exists()
        assert len(regulars) >= 5
        assert {"cost", "not_targeting_region", "past_lead_quality", "other"} <= {
            s.no_booth_reason for s in no_booth
        }

    def test_themes_include_the_big_five_and_each_sponsorship_pushes_one_to_three(self):
        names = set(m.Theme.objects.values_list("name", flat=True))
        per_sponsorship = m.Sponsorship.objects.annotate(n=Count("themes")).values_list("n", flat=True)

        assert {"AI", "Platform engineering", "Security", "Observability", "Cost reduction / FinOps"} <= names
        assert set(per_sponsorship) <= {1, 2, 3}

    def test_costs_are_non_negative_and_convertible_at_a_stored_rate(self):
        lines = m.CostLine.objects.select_related("sponsorship__event")
        foreign = [c for c in lines if c.currency != c.sponsorship.event.currency]

        assert not lines.filter(amount__lt=0).exists()
        assert {"fee", "booth_build", "travel", "swag", "staff"} <= set(
            lines.values_list("category", flat=True)
        )
        assert len(foreign) > 50
        for line in foreign:
            on = line.incurred_on or line.sponsorship.event.start_date
            assert m.CurrencyRate.objects.rate(line.currency, line.sponsorship.event.currency, on) > 0
        diamond_fees = lines.filter(category="fee", sponsorship__tier="diamond", sponsorship__has_booth=True)
        assert diamond_fees and all(100_000 <= fee.amount <= 150_000 for fee in diamond_fees)

    def test_staff_cover_every_role_and_each_booth_has_a_roster_and_a_manager(self):
        staff = m.StaffMember.objects.all()
        booths = m.Sponsorship.objects.filter(has_booth=True).annotate(people=Count("roster"))

        assert set(staff.values_list("role", flat=True)) == set(StaffRole.values)
        assert min(b.people for b in booths) >= 2
        for sponsor in m.Sponsor.objects.filter(sponsorships__has_booth=True).distinct():
            assert 3 <= sponsor.staff.count() <= 8
            assert 1 <= sponsor.staff.filter(level="manager").count() <= 2
        foreign = m.StaffMember.sponsorships.through.objects.exclude(
            sponsorship__sponsor=F("staffmember__sponsor")
        )
        assert not foreign.exists()
        assert not any(u.has_usable_password() for u in get_user_model().objects.all())

    def test_a_few_thousand_scans_only_at_booths_by_rostered_staff(self):
        roster = set(
            m.StaffMember.sponsorships.through.objects.values_list("staffmember_id", "sponsorship_id")
        )
        scans = m.Scan.objects.all()

        assert 3000 <= scans.count() <= 4000
        assert not scans.filter(sponsorship__has_booth=False).exists()
        assert all(pair in roster for pair in scans.values_list("scanned_by_id", "sponsorship_id"))
        assert len(set(scans.values_list("client_uuid", flat=True))) == scans.count()

    def test_scans_happen_during_expo_hours_and_arrive_later(self):
        for scan in m.Scan.objects.select_related("sponsorship__event"):
            event = scan.sponsorship.event
            local = scan.device_scanned_at.astimezone(event.tz)
            assert event.start_date <= local.date() <= event.end_date
            assert time(9) <= local.time() < time(18)
            assert scan.device_scanned_at < scan.received_at <= scan.device_scanned_at + timedelta(hours=6)
        delays = [s.received_at - s.device_scanned_at for s in m.Scan.objects.all()]
        assert sum(d > timedelta(minutes=2) for d in delays) > 50  # the offline queue

    def test_every_payload_format_and_known_badges_carry_the_attendee_id(self):
        scans = m.Scan.objects.filter(lead__isnull=False).select_related("lead__attendee")

        formats = set(scans.values_list("payload_format", flat=True))
        assert {"vcard", "mecard", "json", "url", "badge_id", "manual"} <= formats
        for scan in scans.exclude(payload_format="manual"):
            assert scan.lead.attendee.badge_id in scan.raw_payload
        vcards = scans.filter(payload_format="vcard").values_list("raw_payload", flat=True)
        assert any("VERSION:4.0" in v for v in vcards) and any("VERSION:3.0" in v for v in vcards)
        assert any("\r\n " in v for v in vcards) and any("\\," in v for v in vcards)

    def test_known_badges_resolve_to_their_attendee_through_the_badge_parser(self):
        scans = m.Scan.objects.filter(lead__isnull=False).exclude(payload_format="manual")

        for scan in scans.select_related("lead__attendee"):
            parsed = parse_badge(scan.raw_payload)
            assert (parsed.format, parsed.badge_id) == (scan.payload_format, scan.lead.attendee.badge_id)
            if scan.payload_format in ("vcard", "json"):
                attendee = scan.lead.attendee
                assert (parsed.first_name, parsed.last_name, parsed.email, parsed.company) == (
                    attendee.first_name, attendee.last_name, attendee.email, attendee.company)  # fmt: skip

    def test_unknown_badges_are_kept_raw_and_match_nobody(self):
        unknown = m.Scan.objects.unknown().select_related("sponsorship")
        badges = set(m.Attendee.objects.values_list("badge_id", flat=True))

        assert 0.02 <= unknown.count() / m.Scan.objects.count() <= 0.04
        for scan in unknown:
            assert scan.raw_payload
            assert not set(re.findall(r"KC(?:EU|NA)\d\d-\w+", scan.raw_payload)) & badges
        assert {"badge_id", "url", "unknown"} <= set(unknown.values_list("payload_format", flat=True))

    def test_lead_counters_times_and_consent_follow_from_the_scans(self):
        leads = m.Lead.objects.annotate(
            n=Count("scans"), first=Min("scans__received_at"), last=Max("scans__received_at")
        )

        assert leads.filter(scan_count__gte=2).count() > 100
        for lead in leads.select_related("attendee", "sponsorship"):
            assert lead.scan_count == lead.n >= 1
            assert (lead.first_scan_at, lead.last_scan_at) == (lead.first, lead.last)
            assert lead.attendee.event_id == lead.sponsorship.event_id
            asked = [s for s in lead.scans.order_by("received_at") if s.consent is not None]
            assert lead.consent == (asked[-1].consent if asked else None)
            assert lead.consent_recorded_at == (asked[-1].received_at if asked else None)
        assert (
            not m.Scan.objects.filter(lead__isnull=False).exclude(lead__sponsorship=F("sponsorship")).exists()
        )

    def test_qualification_mix_includes_swag_only_blank_and_non_consenting(self):
        scans = m.Scan.objects.all()
        kinds = Counter(scans.values_list("conversation_type", flat=True))

        assert kinds["swag_only"] / scans.count() > 0.1
        assert (
            kinds[""]
            and kinds["demo"]
            and kinds["technical_deep_dive"]
            and kinds["hiring"]
            and kinds["press"]
        )
        assert {"hot", "warm", "cold", ""} == set(scans.values_list("rating", flat=True))
        assert {True, False, None} == set(m.Lead.objects.values_list("consent", flat=True))
        assert scans.filter(notes__icontains="not interested in SaaS").exists()

    def test_awkward_people_data(self):
        names = [f"{a.first_name} {a.last_name}" for a in m.Attendee.objects.all()]
        users = [u.get_full_name() for u in get_user_model().objects.all()]

        assert m.Lead.objects.filter(attendee__email="").count() > 100
        assert (
            m.Attendee.objects.exclude(phone="").exists() and m.Attendee.objects.filter(last_name="").exists()
        )
        assert sum(bool(NON_LATIN.search(n)) for n in names) > 50 and any(NON_LATIN.search(n) for n in users)
        assert (
            any("'" in n for n in names)
            and any("-" in n for n in names)
            and any("Ł" in n or "ø" in n for n in names)
        )
        titles = set(m.Attendee.objects.values_list("title", flat=True))
        assert {"VP Eng", "Sr. SRE", "CTO & Co-founder", "Student"} <= titles
        assert titles & {"Directeur technique", "Leiter IT-Infrastruktur"}
        emails = m.Attendee.objects.exclude(email="").values_list("email", flat=True)
        assert all(email.endswith((".example", ".test")) for email in emails)

    def test_follow_ups_in_every_status_with_consistent_amounts_and_owners(self):
        follow_ups = m.FollowUp.objects.select_related("lead__sponsorship__event", "owner")

        assert set(follow_ups.values_list("status", flat=True)) == set(FollowUpStatus.values)
        for follow_up in follow_ups:
            with_amount = follow_up.status in ("opportunity", "won", "lost")
            assert (
                (follow_up.opportunity_amount is not None)
                == with_amount
                == bool(follow_up.opportunity_currency)
            )
            assert follow_up.owner.sponsor_id == follow_up.lead.sponsorship.sponsor_id
            assert follow_up.lead.consent is True
            assert follow_up.due_on > follow_up.lead.sponsorship.event.end_date

    def test_follow_up_history_walks_to_the_current_status_after_the_event(self):
        for follow_up in m.FollowUp.objects.select_related("lead__sponsorship__event").prefetch_related(
            "history"
        ):
            steps = [c for c in follow_up.history.all() if c.to_status]
            assert steps[0].from_status == "" and steps[0].to_status == "todo"
            assert all(a.to_status == b.from_status for a, b in zip(steps, steps[1:], strict=False))
            assert steps[-1].to_status == follow_up.status
            times = [c.changed_at for c in follow_up.history.all()]
            assert times == sorted(times)
            assert times[0].date() > follow_up.lead.sponsorship.event.end_date
            owners = [c.to_owner_id for c in follow_up.history.all() if c.to_owner_id]
            assert owners[-1] == follow_up.owner_id

    def test_every_sponsor_with_a_booth_has_a_published_icp_of_one_of_three_shapes_and_no_scores_yet(self):
        icps = m.IdealCustomerProfile.objects.all()

        with_booth = m.Sponsor.objects.filter(sponsorships__has_booth=True).distinct()
        assert set(icps.values_list("sponsor_id", flat=True)) == set(with_booth.values_list("pk", flat=True))
        shapes = {
            tuple(icp.criteria.filter(part="fit").order_by("position").values_list("label", flat=True))
            for icp in icps
        }
        assert len(shapes) == 3  # an enterprise vendor's, a developer-tool start-up's, a security vendor's
        assert set(icps.values_list("status", flat=True)) == {"published"}
        assert not icps.filter(published_at__isnull=True).exists()
        for icp in icps:
            parts = Counter(icp.criteria.values_list("part", flat=True))
            assert parts["fit"] and parts["engagement"] and parts["negative"]
            assert icp.published_by.staff_memberships.get().sponsor_id == icp.sponsor_id
        assert not m.IcpCriterion.objects.filter(part="negative", action="").exists()
        assert not m.LeadScore.objects.exists()

    def test_loading_again_changes_no_row_count(self):
        before = row_counts()

        call_command("loaddata", str(DEMO_FIXTURE), verbosity=0)

        assert row_counts() == before
        assert before["tracker.Scan"] > 3000 and before["roster"] > 0


# `make run`: load once, print working demo logins (demo mode only).


@pytest.mark.django_db
class TestDemoSetup:
    @pytest.fixture(autouse=True)
    def _loaded(self, demo_data):
        pass

    @staticmethod
    def logins(settings) -> dict[str, tuple[str, str]]:
        settings.DEMO_MODE = True
        out = io.StringIO()
        call_command("demo_setup", stdout=out)
        found = re.findall(r"^\s+(.+?)\s+username: (\S+)\s+password: (\S+)$", out.getvalue(), re.M)
        return {label.split(" at ")[0]: (username, password) for label, username, password in found}

    def test_refuses_outside_demo_mode(self, settings):
        settings.DEMO_MODE = False
        with pytest.raises(CommandError, match="DEMO_MODE"):
            call_command("demo_setup")

    @staticmethod
    def log_in(client, username: str, password: str):
        """Through the login page, as a person (and django-axes) sees it."""
        client.logout()
        return client.post("/login/", {"username": username, "password": password}, follow=True)

    def test_printed_logins_work_and_land_where_each_person_works(self, settings, client):
        before = row_counts()
        logins = self.logins(settings)
        after = row_counts()
        assert after["users"] <= before["users"] + 1  # at most the demo admin is new
        # Every lead gets scored (every sponsor with a booth has a published ICP); nothing else is added.
        assert after["tracker.LeadScore"] == m.Lead.objects.count() > 0
        grades = Counter(m.LeadScore.objects.values_list("grade", flat=True))
        assert (
            set(grades) == {"A", "B", "C", "D"}
            and 0.05 <= (grades["A"] + grades["B"]) / sum(grades.values()) <= 0.35
        )
        qualified = m.FollowUp.objects.filter(lead__score__grade__in=("A", "B"))
        assert set(qualified.values_list("status", flat=True)) == set(FollowUpStatus.values)  # every state
        assert after | {"users": before["users"], "tracker.LeadScore": before["tracker.LeadScore"]} == before
        assert set(logins) == {"Admin (Django admin)", "Manager", "Booth staff"}

        admin_landing = self.log_in(client, *logins["Admin (Django admin)"])
        assert admin_landing.redirect_chain[-1][0] == "/admin/"
        admin_page = client.get("/admin/tracker/event/")
        assert "KubeCon + CloudNativeCon Europe 2024" in admin_page.content.decode()

        overview = self.log_in(client, *logins["Manager"])
        assert overview.redirect_chain[-1][0].startswith("/sponsors/")
        assert "KubeCon + CloudNativeCon Europe 2024" in overview.content.decode()

        landing = self.log_in(client, *logins["Booth staff"])
        assert landing.redirect_chain[-1][0].endswith("/scan/")

    def test_running_it_again_changes_no_data_and_prints_new_passwords(self, settings):
        first = self.logins(settings)
        counts = row_counts()
        second = self.logins(settings)
        assert row_counts() == counts
        assert first["Manager"][0] == second["Manager"][0]
        assert first["Manager"][1] != second["Manager"][1]
