"""Two sponsors side by side, each with one object of every tenant model: what tenancy tests walk."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from tests import factories as f
from tracker import models as m


@dataclass
class SponsorWorld:
    sponsor: m.Sponsor
    booth: m.Sponsorship
    other_booth: m.Sponsorship
    manager: m.StaffMember
    booth_staff: m.StaffMember
    objects: dict


def downloadable_export(sponsor: m.Sponsor, user) -> m.ExportLog:
    job = f.ExportLogFactory(
        sponsor=sponsor, user=user, status="done", expires_at=timezone.now() + timedelta(hours=1)
    )
    job.file.save("sales-review.xlsx", ContentFile(b"not really a workbook"))
    return job


def finished_import(booth: m.Sponsorship, user) -> m.ImportJob:
    job = m.ImportJob.objects.create(kind="leads", sponsorship=booth, event=booth.event, user=user, file_name="leads.csv",
                                     status="done", outcome={"rows": 1, "new": 0, "merged": 0, "unchanged": 0,
                                                             "rejected": 1, "rejects": [[2, "No badge id"]], "warnings": []})  # fmt: skip
    job.file.save("leads.csv", ContentFile(b"Email,Company\n,Zyxprivate\n"))
    job.rejected_file.save("rejected-leads.xlsx", ContentFile(b"not really a workbook"))
    return job


def build_world(name: str, event: m.Event, other_event: m.Event) -> SponsorWorld:
    sponsor = f.SponsorFactory(name=name)
    booth = f.SponsorshipFactory(sponsor=sponsor, event=event)
    other_booth = f.SponsorshipFactory(sponsor=sponsor, event=other_event)
    manager = f.StaffMemberFactory(sponsor=sponsor, level="manager")
    booth_staff = f.StaffMemberFactory(sponsor=sponsor, level="booth")
    booth_staff.sponsorships.add(booth)
    lead = f.LeadFactory(sponsorship=booth)
    scan = f.ScanFactory(lead=lead, scanned_by=booth_staff)
    icp = f.IcpFactory(sponsor=sponsor)
    follow_up = f.FollowUpFactory(lead=lead, owner=booth_staff)
    crm = f.CrmConnectionFactory(sponsor=sponsor)
    question = m.Question.objects.create(sponsor=sponsor, label=f"{name} timeline", kind="text")
    objects = {
        m.Sponsor: sponsor,
        m.Event: event,
        m.Sponsorship: booth,
        m.CostLine: f.CostLineFactory(sponsorship=booth),
        m.StaffMember: booth_staff,
        m.DeviceToken: m.DeviceToken.issue(staff=booth_staff, name="booth phone", sponsorship=booth)[0],
        m.AuditEvent: m.AuditEvent.objects.create(
            sponsor=sponsor, action="export", summary=f"{sponsor} exported"
        ),
        m.Attendee: lead.attendee,
        m.Lead: lead,
        m.Scan: scan,
        m.IdealCustomerProfile: icp,
        m.Account: f.AccountFactory(sponsor=sponsor),
        m.RescoreJob: f.RescoreJobFactory(icp=icp),
        m.IcpCriterion: f.IcpCriterionFactory(icp=icp),
        m.LeadScore: f.LeadScoreFactory(lead=lead, icp=icp),
        m.FollowUp: follow_up,
        m.FollowUpChange: f.FollowUpChangeFactory(follow_up=follow_up),
        m.FollowUpPolicy: f.FollowUpPolicyFactory(sponsor=sponsor),
        m.AssignmentRule: f.AssignmentRuleFactory(sponsor=sponsor),
        m.ReminderDigest: f.ReminderDigestFactory(owner=booth_staff),
        m.ExportLog: downloadable_export(sponsor, manager.user),
        m.ImportJob: finished_import(booth, manager.user),
        m.Question: question,
        m.LeadAnswer: m.LeadAnswer.objects.create(lead=lead, question=question, value="soon"),
        m.CrmConnection: crm,
        m.CrmPush: f.CrmPushFactory(connection=crm, lead=lead),
        m.ImportPreset: m.ImportPreset.objects.create(
            sponsor=sponsor, kind="leads", name=f"{name} preset", header_key="k", mapping=["email"]
        ),  # fmt: skip
    }
    return SponsorWorld(sponsor, booth, other_booth, manager, booth_staff, objects)


def build_worlds() -> tuple[SponsorWorld, SponsorWorld]:
    """Alpha Cloud and Beta Mesh: each at an event of its own and both at Salt Lake City."""
    paris = f.EventFactory(name="Paris 2024")
    slc = f.EventFactory(name="Salt Lake City 2024", start_date="2024-11-12", end_date="2024-11-15")
    # Each sponsor has its own event so that even shared-looking objects differ per sponsor.
    lonely = f.EventFactory(name="Only B was here")
    return build_world("Alpha Cloud", paris, slc), build_world("Beta Mesh", lonely, slc)
