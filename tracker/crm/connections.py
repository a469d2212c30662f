"""Connecting a sponsor to a CRM, changing and removing the connection (each in the audit log, never its
secret), and the API client a connection calls with."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from tracker.crm.clients import HubSpotClient, SalesforceClient, Transport
from tracker.crm.secrets import secret_open, secret_seal
from tracker.models import CrmConnection, Sponsor
from tracker.models.crm import CrmKind
from tracker.models.privacy import AuditAction
from tracker.privacy.audit import audit

LOCAL_HOSTS = ("127.0.0.1", "localhost")


def salesforce_url_problem(url: str) -> str:
    """Why ``url`` cannot be a Salesforce org's instance URL ("" if it can)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    # Only Salesforce's domains (settings.SALESFORCE_HOSTS): an instance URL elsewhere would have the server
    # send a client secret, and then leads, to whatever host a manager types.
    allowed = settings.SALESFORCE_HOSTS
    if not host or not any(
        host == d.lstrip(".") or (d.startswith(".") and host.endswith(d)) for d in allowed
    ):
        return "Give your org's My Domain URL, e.g. https://acme.my.salesforce.com."
    if parts.scheme != "https" and host not in LOCAL_HOSTS:
        return "The instance URL must start with https://."
    if parts.path.strip("/") or parts.query:
        return "Give the org's address only, without a path (https://acme.my.salesforce.com)."
    return ""


def connection_connect(
    *, sponsor: Sponsor, kind: str, secret: str, by_user, instance_url: str = "", client_id: str = ""
) -> CrmConnection:
    """A new connection of ``sponsor`` to a CRM, its secret encrypted; pushes nothing yet."""
    if CrmConnection.objects.filter(sponsor=sponsor, kind=kind).exists():
        raise ValidationError(f"{sponsor} is already connected to {CrmKind(kind).label}.")
    connection = CrmConnection.objects.create(
        sponsor=sponsor, kind=kind, secret=secret_seal(secret), instance_url=instance_url.strip().rstrip("/"),
        client_id=client_id.strip(), created_by=by_user,
        external_id_field="Booth_Lead_Id__c" if kind == CrmKind.SALESFORCE else "",
    )  # fmt: skip
    audit(AuditAction.CRM_CONNECTION, user=by_user, sponsor_id=sponsor.pk,
          summary=f"Connected {CrmKind(kind).label}", connection=connection.pk, kind=kind)  # fmt: skip
    return connection


def connection_update(connection: CrmConnection, *, changed: list[str], new_secret: str, by_user) -> None:
    """Save a connection's settings (already on the instance) and, if one was given, its new secret."""
    fields = ["min_grade", "auto_push", "instance_url", "client_id", "external_id_field", "mapping"]
    if new_secret:
        connection.secret = secret_seal(new_secret)
        connection.last_error = ""
        fields += ["secret", "last_error"]
        changed = [*changed, "secret"]
    connection.save(update_fields=fields)
    if changed:
        audit(AuditAction.CRM_CONNECTION, user=by_user, sponsor_id=connection.sponsor_id,
              summary=f"Changed the {connection.get_kind_display()} connection: {', '.join(changed)}",
              connection=connection.pk, changed=changed)  # fmt: skip


def connection_remove(connection: CrmConnection, *, by_user) -> None:
    """Forget a connection, its secret and its leads' statuses (the CRM keeps its records)."""
    pushes = connection.pushes.count()
    audit(AuditAction.CRM_CONNECTION, user=by_user, sponsor_id=connection.sponsor_id,
          summary=f"Disconnected {connection.get_kind_display()} ({pushes} lead status(es) forgotten)",
          connection=connection.pk, kind=connection.kind)  # fmt: skip
    connection.delete()


def client_for(connection: CrmConnection, *, sleep: Callable[[float], None] = time.sleep):
    """The API client of the connection's CRM, holding its decrypted secret only in memory."""
    transport = Transport(sleep=sleep)
    secret = secret_open(connection.secret)
    if connection.kind == CrmKind.HUBSPOT:
        return HubSpotClient(secret, base_url=settings.HUBSPOT_API_URL, transport=transport)
    return SalesforceClient(
        instance_url=connection.instance_url, client_id=connection.client_id, client_secret=secret,
        api_version=settings.SALESFORCE_API_VERSION, transport=transport,
    )  # fmt: skip
