"""The HubSpot and Salesforce REST APIs, as far as the push uses them, over ``requests``.

Every call goes through ``Transport``: a rate limit (429) or an unavailable CRM (5xx, a dropped or timed
out connection) is tried again after the ``Retry-After`` the CRM asked for (at most a day), else after a
doubling backoff, a few times and for at most ``INLINE_WAIT_MAX`` seconds each; past that ``CrmBusy`` says
how long to wait, and the task tries again then (a worker does not sleep through a long limit). Any other
refusal of a whole request is ``CrmError`` with the CRM's own message, and so is a request that cannot be
made (a malformed stored token) or an answer that is not what the reference describes: their messages
name the kind of problem, never a header or a secret. A batch the CRM took in part answers each record
for itself (``RecordResult``). ``sleep`` is injectable, so tests never wait.

References: HubSpot https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/upsert-contacts,
.../contacts/gdpr/gdpr-delete-contact, https://developers.hubspot.com/docs/api-reference/latest/communication-preferences/guide,
https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines; Salesforce
https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html
(and the update and delete pages beside it), OAuth 2.0 client credentials flow for server-to-server integration.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import requests

TIMEOUT = (5, 30)  # seconds to connect, to read
ATTEMPTS = 4
INLINE_WAIT_MAX = 10.0  # longer waits go back to the task queue
RETRY_AFTER_MAX = 86400.0  # a Retry-After asking for longer is read as a day
BACKOFF_FIRST = 0.5
HUBSPOT_BATCH = 100  # records per batch upsert
SALESFORCE_BATCH = 200  # records per sObject Collections request
USER_AGENT = "booth-tracker-crm/1"


class CrmError(Exception):
    """The CRM refused a whole request, and sending it again as it is will not help (credentials, a
    property it does not know, a malformed batch), or the request could not be made or its answer read;
    ``str()`` is the CRM's own message, or ours (never holding a secret)."""

    def __init__(self, message: str, status: int | None = None, *, whole: bool = False):
        super().__init__(message)
        self.status = status
        self._whole = whole

    @property
    def credentials(self) -> bool:
        """The CRM refused who we are."""
        return self.status in (401, 403)

    @property
    def whole(self) -> bool:
        """Every request of this connection will fail the same way (credentials refused, a secret that
        cannot go in a header, an instance URL that is not Salesforce's)."""
        return self._whole or self.credentials


class CrmBusy(Exception):
    """Rate-limited or unavailable after the inline retries: try again after ``wait`` seconds."""

    def __init__(self, message: str, wait: float):
        super().__init__(message)
        self.wait = wait


@dataclass(frozen=True)
class RecordResult:
    """What the CRM answered for one record we sent (``key``: its external id, or its record id)."""

    key: str
    ok: bool
    remote_id: str = ""
    message: str = ""


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number of seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(value), RETRY_AFTER_MAX)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - (now or datetime.now(UTC))).total_seconds()), RETRY_AFTER_MAX)


def error_message(response: requests.Response) -> str:
    """The CRM's message in an error answer: HubSpot's ``message``, Salesforce's list of ``message``s,
    an OAuth ``error_description``; else the status and the start of the body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        text = body.get("message") or body.get("error_description") or body.get("error")
        if text:
            return str(text)[:500]
    if isinstance(body, list) and body and isinstance(body[0], dict) and body[0].get("message"):
        return "; ".join(str(item.get("message")) for item in body if isinstance(item, dict))[:500]
    return f"HTTP {response.status_code}: {response.text[:200]}".strip()


class Transport:
    """HTTP with the CRMs' retry rules (see the module's docstring)."""

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep, attempts: int = ATTEMPTS,
                 session: requests.Session | None = None):  # fmt: skip
        self.sleep, self.attempts = sleep, attempts
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        """The CRM's answer to the request, unless it stayed rate-limited or unavailable (``CrmBusy``) or
        the request could not be made (``CrmError``)."""
        for attempt in range(self.attempts):
            try:
                response = self.session.request(method, url, timeout=TIMEOUT, **kwargs)
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
            ) as error:
                wait, problem = (
                    BACKOFF_FIRST * 2**attempt,
                    f"The CRM could not be reached ({type(error).__name__}).",
                )
            except (requests.RequestException, ValueError) as error:
                # e.g. InvalidHeader: its message holds the header, the token with it. ``from None`` keeps
                # it out of any traceback too.
                raise CrmError(
                    f"The request could not be made ({type(error).__name__}): check the stored secret "
                    "and the address, and enter them again.",
                    whole=True,
                ) from None
            else:
                if response.status_code != 429 and response.status_code < 500:
                    return response
                asked = retry_after(response.headers.get("Retry-After"))
                wait = asked if asked is not None else BACKOFF_FIRST * 2**attempt
                problem = error_message(response)
            if attempt + 1 == self.attempts or wait > INLINE_WAIT_MAX:
                raise CrmBusy(problem, max(wait, BACKOFF_FIRST * 2**attempt))
            self.sleep(wait)
        raise AssertionError("unreachable")


def _json(response: requests.Response):
    try:
        return response.json()
    except ValueError:
        raise CrmError(
            f"The CRM answered something that is not JSON (HTTP {response.status_code})."
        ) from None


@contextmanager
def _reading(crm: str, *, whole: bool = False) -> Iterator[None]:
    """An answer of an unexpected shape (a list for an object, a missing key, a text for a number) is a
    ``CrmError``, not a crash of the task."""
    try:
        yield
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise CrmError(
            f"{crm} answered something unexpected ({type(error).__name__}).", whole=whole
        ) from None


class HubSpotClient:
    """Contacts in one HubSpot account, with a private app's access token."""

    def __init__(self, token: str, *, base_url: str, transport: Transport):
        self.base_url, self.transport = base_url.rstrip("/"), transport
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def _post(self, path: str, body: dict, params: dict | None = None) -> requests.Response:
        return self.transport.request(
            "POST", f"{self.base_url}{path}", json=body, params=params, headers=self.headers
        )

    def upsert_contacts(self, id_property: str, records: Sequence[tuple[str, dict]]) -> list[RecordResult]:
        """Create or update contacts by a unique property (``email``, or a custom one), up to 100 at once:
        ``records`` are (that property's value, properties). One result per record, keyed by the value.

        The answer names each contact by its properties, and HubSpot echoes only those sent: the id
        property always goes with them, so every contact taken can be told apart."""
        inputs = [
            {"idProperty": id_property, "id": value, "properties": {**props, id_property: value}}
            for value, props in records
        ]
        response = self._post("/crm/v3/objects/contacts/batch/upsert", {"inputs": inputs})
        if response.status_code not in (200, 201, 207):
            raise CrmError(error_message(response), response.status_code)
        body = _json(response)
        done: dict[str, str] = {}
        with _reading("HubSpot"):
            for result in body.get("results") or []:
                value = str((result.get("properties") or {}).get(id_property) or "")
                if value:
                    done[value.lower()] = str(result.get("id") or "")
            errors = list(body.get("errors") or [])
            return [
                RecordResult(value, True, remote_id=done[value.lower()])
                if value.lower() in done
                else RecordResult(value, False, message=_hubspot_error_for(value, errors))
                for value, _ in records
            ]

    def gdpr_delete(self, contact_id: str) -> RecordResult:
        """Delete a contact and everything associated with it, as the GDPR asks (gone already: done)."""
        response = self._post("/crm/v3/objects/contacts/gdpr-delete", {"objectId": contact_id})
        if response.status_code in (200, 204, 404):
            return RecordResult(contact_id, True, remote_id=contact_id)
        if response.status_code in (401, 403):
            raise CrmError(error_message(response), response.status_code)
        return RecordResult(contact_id, False, message=error_message(response))

    def unsubscribe_all(self, email: str) -> RecordResult:
        """Opt an email address out of every email subscription (the person withdrew consent)."""
        response = self._post(
            f"/communication-preferences/v4/statuses/{quote(email, safe='@')}/unsubscribe-all",
            {},
            params={"channel": "EMAIL"},
        )
        if response.status_code in (200, 204):
            return RecordResult(email, True)
        if response.status_code in (401, 403):
            raise CrmError(error_message(response), response.status_code)
        return RecordResult(email, False, message=error_message(response))


def _hubspot_error_for(value: str, errors: list) -> str:
    """The message of the batch error naming this record (its id in the error's context), else the one
    error of the batch, else all of them."""
    messages = []
    for error in errors:
        if not isinstance(error, dict):
            continue
        ids = [str(v).lower() for v in (error.get("context") or {}).get("ids") or []]
        if value.lower() in ids:
            return str(error.get("message") or "HubSpot refused it.")[:500]
        messages.append(str(error.get("message") or ""))
    return ("; ".join(m for m in messages if m) or "HubSpot did not take it (no reason given).")[:500]


class SalesforceClient:
    """Leads in one Salesforce org, through an external client app's client credentials flow.

    ``url_problem`` says why a URL is not a Salesforce org's ("" if it is): the instance URL is checked
    before the client secret goes there, and so is the one the token endpoint answers before the token
    and the leads go there."""

    def __init__(self, *, instance_url: str, client_id: str, client_secret: str, api_version: str,
                 transport: Transport, url_problem: Callable[[str], str]):  # fmt: skip
        if problem := url_problem(instance_url):
            raise CrmError(f"The instance URL is refused: {problem}", whole=True)
        self.instance_url, self.api_version = instance_url.rstrip("/"), api_version
        self.client_id, self.client_secret, self.transport = client_id, client_secret, transport
        self.url_problem = url_problem
        self._access: tuple[str, str] | None = None  # (token, the instance URL it came with)

    def _token(self, fresh: bool = False) -> tuple[str, str]:
        if self._access is None or fresh:
            response = self.transport.request(
                "POST", f"{self.instance_url}/services/oauth2/token",
                data={"grant_type": "client_credentials", "client_id": self.client_id,
                      "client_secret": self.client_secret},
            )  # fmt: skip
            if response.status_code != 200:
                raise CrmError(f"Salesforce refused the client credentials: {error_message(response)}", 401)
            body = _json(response)
            with _reading("Salesforce's token endpoint", whole=True):
                token = body["access_token"]
                instance = body.get("instance_url") or self.instance_url
                if not isinstance(token, str) or not token or not isinstance(instance, str):
                    raise TypeError
            if self.url_problem(instance):
                raise CrmError(
                    "Salesforce's token endpoint named an instance URL that is not a Salesforce org's; "
                    "nothing was sent there.",
                    whole=True,
                )
            self._access = (token, instance)
        return self._access

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        """A REST call with a token; an expired one (401) is replaced once."""
        for fresh in (False, True):
            token, instance = self._token(fresh)
            response = self.transport.request(
                method, f"{instance.rstrip('/')}/services/data/{self.api_version}{path}",
                headers={"Authorization": f"Bearer {token}"}, **kwargs,
            )  # fmt: skip
            if response.status_code != 401:
                break
        if response.status_code == 403 and "REQUEST_LIMIT_EXCEEDED" in response.text:
            raise CrmBusy(error_message(response), 600.0)  # the org's daily API limit: later
        if response.status_code != 200:
            raise CrmError(error_message(response), response.status_code)
        return response

    @staticmethod
    def _results(keys: Sequence[str], body) -> list[RecordResult]:
        """sObject Collections answer in the order of the records sent: one result each."""
        if not isinstance(body, list) or len(body) != len(keys):
            raise CrmError("Salesforce answered a different number of results than records sent.")
        results = []
        with _reading("Salesforce"):
            for key, item in zip(keys, body, strict=True):
                if item.get("success"):
                    results.append(RecordResult(key, True, remote_id=str(item.get("id") or "")))
                else:
                    errors = item.get("errors") or []
                    message = "; ".join(
                        f"{e.get('statusCode', '')}: {e.get('message', '')}".strip(": ") for e in errors
                    )
                    results.append(
                        RecordResult(key, False, message=(message or "Salesforce refused it.")[:500])
                    )
        return results

    def upsert_leads(self, external_id_field: str, records: Sequence[tuple[str, dict]]) -> list[RecordResult]:
        """Create or update up to 200 Leads by an external id field; ``records`` are (external id, fields)."""
        body = {
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Lead"}, **fields, external_id_field: key} for key, fields in records
            ],
        }
        path = f"/composite/sobjects/Lead/{quote(external_id_field)}"
        return self._results([key for key, _ in records], _json(self._call("PATCH", path, json=body)))

    def update_leads(self, records: Sequence[tuple[str, dict]]) -> list[RecordResult]:
        """Update up to 200 Leads by their record ids; ``records`` are (record id, fields)."""
        body = {
            "allOrNone": False,
            "records": [{"attributes": {"type": "Lead"}, "id": key, **fields} for key, fields in records],
        }
        return self._results(
            [key for key, _ in records], _json(self._call("PATCH", "/composite/sobjects", json=body))
        )

    def delete_leads(self, record_ids: Sequence[str]) -> list[RecordResult]:
        """Delete up to 200 Leads by their record ids (one already deleted counts as done)."""
        response = self._call(
            "DELETE", "/composite/sobjects", params={"ids": ",".join(record_ids), "allOrNone": "false"}
        )
        results = self._results(list(record_ids), _json(response))
        gone = ("ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY")
        return [
            RecordResult(r.key, True, r.key) if not r.ok and r.message.startswith(gone) else r
            for r in results
        ]
