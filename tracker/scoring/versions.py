"""ICP versions: a new draft copied from the current version, and publishing one, which starts the
rescoring of every lead of the sponsor."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tracker.models import IcpCriterion, IdealCustomerProfile, RescoreJob
from tracker.models.choices import IcpStatus
from tracker.scoring.jobs import rescore_start
from tracker.scoring.service import current_icp


def icp_publish(*, icp: IdealCustomerProfile, by) -> RescoreJob:
    """Make a draft the sponsor's current ICP and start rescoring every lead of the sponsor under it."""
    with transaction.atomic():
        locked = IdealCustomerProfile.objects.select_for_update().get(pk=icp.pk)
        if locked.status != IcpStatus.DRAFT:
            raise ValueError(f"{locked} is not a draft.")
        IdealCustomerProfile.objects.filter(sponsor_id=locked.sponsor_id, status=IcpStatus.PUBLISHED).update(
            status=IcpStatus.SUPERSEDED
        )
        locked.status = IcpStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = by
        locked.save(update_fields=["status", "published_at", "published_by"])
        RescoreJob.objects.filter(icp__sponsor_id=locked.sponsor_id, status=RescoreJob.Status.RUNNING).update(
            status=RescoreJob.Status.SUPERSEDED, finished_at=timezone.now()
        )
        job = rescore_start(locked)
    icp.refresh_from_db()
    return job


def icp_new_draft(*, sponsor_id: int) -> IdealCustomerProfile:
    """A new draft version, copying the current (or latest) version's thresholds and criteria."""
    with transaction.atomic():
        latest = (
            IdealCustomerProfile.objects.select_for_update()
            .filter(sponsor_id=sponsor_id)
            .order_by("-version")
            .first()
        )
        base = current_icp(sponsor_id) or latest
        draft = IdealCustomerProfile.objects.create(
            sponsor_id=sponsor_id,
            version=(latest.version + 1) if latest else 1,
            grade_a_min=base.grade_a_min if base else 70,
            grade_b_min=base.grade_b_min if base else 45,
            grade_c_min=base.grade_c_min if base else 20,
        )
        if base:
            IcpCriterion.objects.bulk_create(
                IcpCriterion(
                    icp=draft,
                    **{
                        f.name: getattr(c, f.name)
                        for f in IcpCriterion._meta.concrete_fields
                        if f.name not in ("id", "icp")
                    },
                )
                for c in base.criteria.all()
            )
    return draft
