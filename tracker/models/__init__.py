"""The tracker's domain, one module per concern."""

from tracker.models.accounts import Account
from tracker.models.crm import CrmConnection, CrmPush
from tracker.models.events import CostLine, Event, Sponsor, Sponsorship, Theme
from tracker.models.exports import ExportLog
from tracker.models.followups import (
    AssignmentRule,
    FollowUp,
    FollowUpChange,
    FollowUpPolicy,
    ReminderDigest,
)
from tracker.models.icp import IcpCriterion, IdealCustomerProfile, LeadScore, RescoreJob
from tracker.models.imports import ImportJob, ImportPreset
from tracker.models.leads import Attendee, Lead, Scan
from tracker.models.money import CurrencyRate
from tracker.models.privacy import AuditEvent
from tracker.models.questions import LeadAnswer, Question
from tracker.models.staff import DeviceToken, StaffMember

__all__ = [
    "Account",
    "AssignmentRule",
    "AuditEvent",
    "Attendee",
    "CostLine",
    "CrmConnection",
    "CrmPush",
    "CurrencyRate",
    "DeviceToken",
    "Event",
    "ExportLog",
    "FollowUp",
    "FollowUpChange",
    "FollowUpPolicy",
    "IcpCriterion",
    "IdealCustomerProfile",
    "ImportJob",
    "ImportPreset",
    "Lead",
    "LeadAnswer",
    "LeadScore",
    "ReminderDigest",
    "Question",
    "RescoreJob",
    "Scan",
    "Sponsor",
    "Sponsorship",
    "StaffMember",
    "Theme",
]
