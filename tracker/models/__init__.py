"""The tracker's domain, one module per concern."""

from tracker.models.events import CostLine, Event, Sponsor, Sponsorship, Theme
from tracker.models.followups import FollowUp, FollowUpChange
from tracker.models.icp import IcpCriterion, IdealCustomerProfile, LeadScore
from tracker.models.leads import Attendee, Lead, Scan
from tracker.models.money import CurrencyRate
from tracker.models.staff import DeviceToken, StaffMember

__all__ = [
    "Attendee",
    "CostLine",
    "CurrencyRate",
    "DeviceToken",
    "Event",
    "FollowUp",
    "FollowUpChange",
    "IcpCriterion",
    "IdealCustomerProfile",
    "Lead",
    "LeadScore",
    "Scan",
    "Sponsor",
    "Sponsorship",
    "StaffMember",
    "Theme",
]
