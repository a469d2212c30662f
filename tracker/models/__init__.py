"""The tracker's domain, one module per concern."""

from tracker.models.accounts import Account
from tracker.models.events import CostLine, Event, Sponsor, Sponsorship, Theme
from tracker.models.followups import FollowUp, FollowUpChange
from tracker.models.icp import IcpCriterion, IdealCustomerProfile, LeadScore, RescoreJob
from tracker.models.leads import Attendee, Lead, Scan
from tracker.models.money import CurrencyRate
from tracker.models.staff import DeviceToken, StaffMember

__all__ = [
    "Account",
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
    "RescoreJob",
    "Scan",
    "Sponsor",
    "Sponsorship",
    "StaffMember",
    "Theme",
]
