"""factory_boy factories for the domain; each builds a valid, minimal object."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from tracker import models as m
from tracker.models.choices import PermissionLevel, StaffRole, Tier


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("correct horse battery staple")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Event

    name = factory.Sequence(lambda n: f"Conf {n}")
    slug = factory.Sequence(lambda n: f"conf-{n}")
    city = "Paris"
    country = "FR"
    region = "EU"
    start_date = date(2024, 3, 19)
    end_date = date(2024, 3, 22)
    time_zone = "Europe/Paris"
    currency = "EUR"


class SponsorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Sponsor

    name = factory.Sequence(lambda n: f"Sponsor {n}")
    slug = factory.Sequence(lambda n: f"sponsor-{n}")
    domain = factory.Sequence(lambda n: f"sponsor{n}.example")


class SponsorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Sponsorship

    sponsor = factory.SubFactory(SponsorFactory)
    event = factory.SubFactory(EventFactory)
    tier = Tier.GOLD
    has_booth = True


class CostLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CostLine

    sponsorship = factory.SubFactory(SponsorshipFactory)
    category = "fee"
    amount = Decimal("10000.00")
    currency = "EUR"


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.StaffMember

    user = factory.SubFactory(UserFactory)
    sponsor = factory.SubFactory(SponsorFactory)
    role = StaffRole.SALES
    level = PermissionLevel.BOOTH


class AttendeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Attendee

    event = factory.SubFactory(EventFactory)
    badge_id = factory.Sequence(lambda n: f"REG-{n:06d}")
    first_name = "Ada"
    last_name = factory.Sequence(lambda n: f"Visitor{n}")
    email = factory.Sequence(lambda n: f"visitor{n}@corp.example")
    title = "Platform Engineer"
    company = "Corp Example"
    country = "FR"


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Lead

    sponsorship = factory.SubFactory(SponsorshipFactory)
    attendee = factory.SubFactory(AttendeeFactory, event=factory.SelfAttribute("..sponsorship.event"))
    first_scan_at = factory.LazyFunction(timezone.now)
    last_scan_at = factory.SelfAttribute("first_scan_at")
    scan_count = 1


class ScanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Scan

    lead = factory.SubFactory(LeadFactory)
    sponsorship = factory.SelfAttribute("lead.sponsorship")
    raw_payload = factory.LazyAttribute(lambda s: s.lead.attendee.badge_id if s.lead else "???")
    payload_format = "badge_id"
    rating = "warm"
    processed_at = factory.LazyFunction(timezone.now)


class IcpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.IdealCustomerProfile

    sponsor = factory.SubFactory(SponsorFactory)
    version = factory.Sequence(lambda n: n + 1)


class IcpCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.IcpCriterion

    icp = factory.SubFactory(IcpFactory)
    part = "fit"
    field = "seniority"
    kind = "in_set"
    label = "Director or above"
    values = ["director", "vp", "c_level"]
    weight = 20


class LeadScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.LeadScore

    lead = factory.SubFactory(LeadFactory)
    icp = factory.SubFactory(IcpFactory, sponsor=factory.SelfAttribute("..lead.sponsorship.sponsor"))
    score = 50
    grade = "B"
    reasons = [{"points": 50, "reason": "Director or above"}]


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.FollowUp

    lead = factory.SubFactory(LeadFactory)


class FollowUpChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.FollowUpChange

    follow_up = factory.SubFactory(FollowUpFactory)
    from_status = "todo"
    to_status = "contacted"


class CurrencyRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CurrencyRate

    source = "USD"
    target = "EUR"
    rate = Decimal("0.92")
    valid_on = date(2024, 1, 1)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Theme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Account

    sponsor = factory.SubFactory(SponsorFactory)
    name = factory.Sequence(lambda n: f"Account {n}")
    domains = factory.LazyAttribute(lambda a: [f"{a.name.lower().replace(' ', '')}.example"])


class RescoreJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.RescoreJob

    icp = factory.SubFactory(IcpFactory)
    total = 10


class FollowUpPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.FollowUpPolicy

    sponsor = factory.SubFactory(SponsorFactory)


class AssignmentRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.AssignmentRule

    sponsor = factory.SubFactory(SponsorFactory)
    condition = "anyone"
    roles = factory.LazyFunction(lambda: ["sales"])


class ReminderDigestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ReminderDigest

    owner = factory.SubFactory(StaffMemberFactory)
    sent_on = factory.Sequence(lambda n: date(2026, 1, 1) + timedelta(days=n))
    follow_up_count = 1


class ExportLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ExportLog

    sponsor = factory.SubFactory(SponsorFactory)
    kind = "sales-review"
    file_format = "xlsx"


class ImportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ImportJob

    kind = "leads"
    sponsorship = factory.SubFactory(SponsorshipFactory)
    event = factory.SelfAttribute("sponsorship.event")
    file_name = "leads.csv"
    file = factory.django.FileField(filename="leads.csv", data=b"Email\nada@example.org\n")


class ImportPresetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ImportPreset

    sponsor = factory.SubFactory(SponsorFactory)
    kind = "leads"
    name = factory.Sequence(lambda n: f"Platform {n}")
    header_key = "k"
    mapping = ["email"]


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.AuditEvent

    sponsor = factory.SubFactory(SponsorFactory)
    action = "export"
    summary = "Exported the sales review"


class CrmConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CrmConnection

    sponsor = factory.SubFactory(SponsorFactory)
    kind = "hubspot"


class CrmPushFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CrmPush

    connection = factory.SubFactory(CrmConnectionFactory)
    lead = factory.SubFactory(
        LeadFactory, sponsorship__sponsor=factory.SelfAttribute("...connection.sponsor")
    )
    status = "pushed"
    remote_id = factory.Sequence(lambda n: str(5000 + n))


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Question

    sponsor = factory.SubFactory(SponsorFactory)
    label = factory.Sequence(lambda n: f"Question {n}")
    kind = "single"
    choices = ["this quarter", "later"]


class LeadAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.LeadAnswer

    question = factory.SubFactory(QuestionFactory)
    lead = factory.SubFactory(LeadFactory, sponsorship__sponsor=factory.SelfAttribute("...question.sponsor"))
    value = "later"
