"""What was done with personal data, and by whom: the audit log managers and operators read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tracker.models.events import Sponsor


class AuditAction(models.TextChoices):
    EXPORT = "export", "Export"
    ERASURE = "erasure", "Erasure"
    RETENTION = "retention", "Retention run"
    TOKEN_ISSUED = "token_issued", "Device token issued"
    TOKEN_REVOKED = "token_revoked", "Device token revoked"
    ROLE_CHANGED = "role_changed", "Role changed"
    CRM_CONNECTION = "crm_connection", "CRM connection changed"
    CRM_PUSH = "crm_push", "Leads pushed to a CRM"
    CRM_PROPAGATION = "crm_propagation", "Consent or erasure passed on to a CRM"


class AuditEvent(models.Model):
    """One thing done with a sponsor's data or access (none: the installation's), by whom and when.

    ``details`` holds counts and ids, never the personal data acted on (an erasure keeps a hash of the
    identifier it was asked for, to answer "was I erased?" without keeping who).
    """

    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    summary = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-at", "-pk")
        indexes = [models.Index(fields=("sponsor", "-at"), name="audit_sponsor_recent_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.summary}"
