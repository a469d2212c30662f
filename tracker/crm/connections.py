"""Connecting a sponsor to a CRM, changing and removing the connection (each in the audit log, never its
secret), and the API client a connection calls with."""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from urllib3.util import parse_url

from tracker.crm.clients import HubSpotClient, SalesforceClient, Transport
from tracker.crm.secrets import secret_read, secret_seal
from tracker.models import CrmConnection, Sponsor
from tracker.models.crm import CrmKind
from tracker.models.privacy import AuditAction
from tracker.privacy.audit import audit

GIVE_MY_DOMAIN = "Give your org's My Domain URL, e.g. https://acme.my.salesforce.com."
# A host name as DNS spells it: letters, digits and hyphens in dot-separated labels, no trailing dot.
HOST_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+")


def salesforce_url_problem(url: str) -> str:
    """Why ``url`` cannot be a Salesforce org's instance URL ("" if it can).

    The server sends a client secret, then a token and leads, to this URL: only ``https://`` and a host in
    Salesforce's domains (settings.SALESFORCE_HOSTS), nothing else in it. It is read as ``requests``
    reads it (urllib3's ``parse_url``, which decides where the connection goes) and as ``urlsplit`` does,
    and both must find the same thing: they disagree on a backslash or an ``@``, for one, and a check
    through one of them alone lets ``https://evil.example\\@acme.my.salesforce.com`` go to evil.example.
    """
    text = url.strip()
    if not text.isascii() or any(c.isspace() or not c.isprintable() for c in text):
        return GIVE_MY_DOMAIN
    if "\\" in text or "@" in text or "%" in text:
        return "Give the org's address only, without a user name or special characters."
    try:
        sent, read = parse_url(text), urlsplit(text)
        read_port = read.port
    except ValueError:  # urllib3's LocationParseError is one
        return GIVE_MY_DOMAIN
    host = (sent.host or "").lower()
    if (
        sent.auth
        or read.username is not None
        or host != (read.hostname or "").lower()
        or (sent.scheme or "").lower() != read.scheme.lower()
        or sent.port != read_port
    ):
        return GIVE_MY_DOMAIN
    test_host = host in settings.CRM_TEST_HOSTS  # a local fake in the tests: plain HTTP, any port
    if not test_host:
        if read.scheme.lower() != "https":
            return "The instance URL must start with https://."
        if sent.port is not None:
            return "Give the org's address without a port (https://acme.my.salesforce.com)."
        if _ip_literal(host) or not HOST_NAME.fullmatch(host):
            return GIVE_MY_DOMAIN
        if not any(
            host == d.lstrip(".") or (d.startswith(".") and host.endswith(d))
            for d in settings.SALESFORCE_HOSTS
        ):
            return GIVE_MY_DOMAIN
    if read.path.strip("/") or read.query or read.fragment or text.endswith(("?", "#")):
        return "Give the org's address only, without a path (https://acme.my.salesforce.com)."
    return ""


def _ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def connection_connect(
    *, sponsor: Sponsor, kind: str, secret: str, by_user, instance_url: str = "", client_id: str = ""
) -> CrmConnection:
    """A new connection of ``sponsor`` to a CRM, its secret encrypted; pushes nothing yet."""
    if CrmConnection.objects.filter(sponsor=sponsor, kind=kind).exists():
        raise ValidationError(f"{sponsor} is already connected to {CrmKind(kind).label}.")
    if kind == CrmKind.SALESFORCE and (problem := salesforce_url_problem(instance_url)):
        raise ValidationError(problem)
    connection = CrmConnection.objects.create(
        sponsor=sponsor, kind=kind, secret=secret_seal(secret), instance_url=instance_url.strip().rstrip("/"),
        client_id=client_id.strip(), created_by=by_user,
        external_id_field="Booth_Lead_Id__c" if kind == CrmKind.SALESFORCE else "",
    )  # fmt: skip
    audit(AuditAction.CRM_CONNECTION, user=by_user, sponsor_id=sponsor.pk,
          summary=f"Connected {CrmKind(kind).label}", connection=connection.pk, kind=kind)  # fmt: skip
    return connection


def connection_update(connection: CrmConnection, *, changed: list[str], new_secret: str, by_user) -> None:
    """Save a connection's settings (already on the instance) and, if one was given, its new secret. The
    stored secret goes only where it went before: a new instance URL or consumer key needs it again."""
    if connection.kind == CrmKind.SALESFORCE:
        if problem := salesforce_url_problem(connection.instance_url):
            raise ValidationError(problem)
        if {"instance_url", "client_id"} & set(changed) and not new_secret:
            raise ValidationError(
                "A new instance URL or consumer key needs the consumer secret entered again."
            )
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
    """The API client of the connection's CRM, holding its decrypted secret only in memory. A secret
    sealed under an earlier key is stored again under the current one (``tracker.crm.secrets``)."""
    transport = Transport(sleep=sleep)
    secret, resealed = secret_read(connection.secret)
    if resealed is not None:  # unless it was replaced meanwhile
        CrmConnection.objects.filter(pk=connection.pk, secret=connection.secret).update(secret=resealed)
        connection.secret = resealed
    if connection.kind == CrmKind.HUBSPOT:
        return HubSpotClient(secret, base_url=settings.HUBSPOT_API_URL, transport=transport)
    return SalesforceClient(
        instance_url=connection.instance_url, client_id=connection.client_id, client_secret=secret,
        api_version=settings.SALESFORCE_API_VERSION, transport=transport, url_problem=salesforce_url_problem,
    )  # fmt: skip
