"""Writing the audit log: one call where an export, an erasure, a token or a role change happens."""

from __future__ import annotations

from tracker.models import AuditEvent
from tracker.models.privacy import AuditAction


def audit(action: AuditAction, *, user, sponsor_id: int | None, summary: str, **details) -> AuditEvent:
    """Record that ``user`` did ``action`` to ``sponsor_id``'s data (None: the installation's)."""
    user = user if getattr(user, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        action=action, user=user, sponsor_id=sponsor_id, summary=summary[:300], details=details
    )
