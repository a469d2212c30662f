"""Local fakes of the HubSpot and Salesforce REST endpoints the CRM push calls (the real ones cannot be
reached from here): stdlib ``http.server`` in a thread on 127.0.0.1, a free port each.

They keep records as the CRMs do, keyed by their own ids and found again by a unique property or an
external id field, so a second push updates and never duplicates; they answer scripted faults (429 with
``Retry-After``, 5xx) and per-record refusals as the references describe:

HubSpot
- batch upsert, ``POST /crm/v3/objects/contacts/batch/upsert`` (up to 100 inputs, ``idProperty`` a unique
  property, 200 or 207 Multi-Status with ``results`` and ``errors``):
  https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/upsert-contacts
- GDPR delete, ``POST /crm/v3/objects/contacts/gdpr-delete`` (``objectId``, 204):
  https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/gdpr/gdpr-delete-contact
- unsubscribe from all email, ``POST /communication-preferences/v4/statuses/{subscriberIdString}/unsubscribe-all?channel=EMAIL``:
  https://developers.hubspot.com/docs/api-reference/latest/communication-preferences/guide
- rate limits (429, ``Retry-After``): https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines

Salesforce
- OAuth 2.0 client credentials, ``POST /services/oauth2/token``:
  https://developer.salesforce.com/docs/atlas.en-us.chatterapi.meta/chatterapi/quickstart_connecting.htm
- upsert by external id, ``PATCH /services/data/vXX.X/composite/sobjects/Lead/<Field>`` (up to 200, ``allOrNone``,
  results in the records' order with ``success`` and ``errors[]``):
  https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html
- update by record id, ``PATCH /services/data/vXX.X/composite/sobjects``:
  https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-update.html
- delete, ``DELETE /services/data/vXX.X/composite/sobjects?ids=...&allOrNone=false``:
  https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-delete.html
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


class FakeCrm:
    """A CRM's HTTP API on a local port: the requests it got, faults to answer next, and its records."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str, object]] = []  # (method, path, body)
        self.faults: deque[tuple[str, int, dict, object]] = deque()
        self.ids = itertools.count(1001)
        self.server: ThreadingHTTPServer | None = None
        self.pairing: tuple[str, threading.Barrier] | None = None

    # -- running ---------------------------------------------------------------------------------------

    def start(self) -> FakeCrm:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                status, headers, body = fake.handle(
                    method, parts.path, parse_qs(parts.query), self.headers, raw
                )
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                self._answer("POST")

            def do_PATCH(self):
                self._answer("PATCH")

            def do_DELETE(self):
                self._answer("DELETE")

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail_next(self, status: int, *, times: int = 1, retry_after: str | None = None, path: str = "",
                  body: object = None) -> None:  # fmt: skip
        """Answer the next ``times`` requests whose path starts with ``path`` with ``status``."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        for _ in range(times):
            self.faults.append((path, status, headers, body if body is not None else self.fault_body(status)))

    def pair_up(self, path: str) -> None:
        """Hold the first request whose path starts with ``path`` until a second one comes, then answer
        both: two clients are sending at once, whatever the speed of the machine."""
        self.pairing = (path, threading.Barrier(2, timeout=30))

    def calls(self, method: str, path_part: str) -> list[object]:
        """The bodies of the requests of this method whose path holds ``path_part``."""
        return [body for m, p, body in self.requests if m == method and path_part in p]

    def handle(self, method, path, query, headers, raw):
        try:
            body = json.loads(raw) if raw and "json" in (headers.get("Content-Type") or "") else raw.decode()
        except ValueError:
            return 400, {}, self.fault_body(400)
        pairing = self.pairing
        if pairing and path.startswith(pairing[0]):
            pairing[1].wait()
            self.pairing = None  # once
        with self.lock:
            self.requests.append((method, path, body))
            for fault in list(self.faults):
                if path.startswith(fault[0]):
                    self.faults.remove(fault)
                    return fault[1], fault[2], fault[3]
            return self.route(method, path, query, headers, body)

    def fault_body(self, status: int) -> object:
        raise NotImplementedError

    def route(self, method, path, query, headers, body):
        raise NotImplementedError


class HubSpotFake(FakeCrm):
    """Contacts of one HubSpot account, reached with one private app token."""

    token = "pat-eu1-fake-token"
    BATCH_LIMIT = 100

    def __init__(self, *, unique_properties: tuple[str, ...] = (), echo_sent_only: bool = False):
        super().__init__()
        # The batch upsert's results hold the properties sent (and hs_object_id), not all the contact's.
        self.echo_sent_only = echo_sent_only
        self.contacts: dict[str, dict] = {}
        self.unique = {"email", *unique_properties}
        self.unsubscribed: set[str] = set()
        self.gdpr_deleted: list[str] = []
        self.refuse: dict[str, str] = {}  # id value -> the validation message to answer for it

    def fault_body(self, status: int) -> object:
        if status == 429:
            return {"status": "error", "message": "You have reached your secondly limit.",
                    "errorType": "RATE_LIMIT", "category": "RATE_LIMITS", "policyName": "SECONDLY"}  # fmt: skip
        return {"status": "error", "message": "internal error", "category": "INTERNAL_ERROR"}

    def find(self, prop: str, value: str) -> str | None:
        value = value.lower()
        return next((cid for cid, c in self.contacts.items() if str(c.get(prop, "")).lower() == value), None)

    def route(self, method, path, query, headers, body):
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {}, {"status": "error", "category": "INVALID_AUTHENTICATION",
                             "message": "Authentication credentials not found."}  # fmt: skip
        if method == "POST" and path == "/crm/v3/objects/contacts/batch/upsert":
            return self.upsert(body)
        if method == "POST" and path == "/crm/v3/objects/contacts/gdpr-delete":
            contact = str(body.get("objectId", ""))
            if body.get("idProperty") == "email":
                contact = self.find("email", contact) or ""
            if contact not in self.contacts:
                return (
                    404,
                    {},
                    {"status": "error", "message": "resource not found", "category": "OBJECT_NOT_FOUND"},
                )
            del self.contacts[contact]
            self.gdpr_deleted.append(contact)
            return 204, {}, None
        found = re.fullmatch(r"/communication-preferences/v4/statuses/([^/]+)/unsubscribe-all", path)
        if method == "POST" and found:
            if query.get("channel") != ["EMAIL"]:
                return (
                    400,
                    {},
                    {"status": "error", "message": "channel is required", "category": "VALIDATION_ERROR"},
                )
            email = unquote(found.group(1)).lower()
            self.unsubscribed.add(email)
            return 200, {}, {"status": "COMPLETE", "results": [{"subscriberIdString": email, "channel": "EMAIL",
                                                                 "status": "NOT_SUBSCRIBED"}]}  # fmt: skip
        return (
            404,
            {},
            {"status": "error", "message": f"No route for {method} {path}", "category": "OBJECT_NOT_FOUND"},
        )

    def upsert(self, body):
        inputs = body.get("inputs") or []
        if len(inputs) > self.BATCH_LIMIT:
            return 400, {}, {"status": "error", "category": "VALIDATION_ERROR",
                             "message": f"Batch input limit is {self.BATCH_LIMIT}"}  # fmt: skip
        values = [str(item.get("id", "")).lower() for item in inputs]
        if len(set(values)) != len(values):
            return (
                400,
                {},
                {
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": "Duplicate IDs found in batch input",
                },
            )
        results, errors = [], []
        for item in inputs:
            prop, value, properties = (
                item.get("idProperty"),
                str(item.get("id", "")),
                item.get("properties") or {},
            )
            if prop not in self.unique:
                return 400, {}, {"status": "error", "category": "VALIDATION_ERROR",
                                 "message": f"Property {prop} is not a unique identifier property"}  # fmt: skip
            message = self.refuse.get(value.lower())
            if prop == "email" and "@" not in value:
                message = f'Property values were not valid: [{{"isValid":false,"message":"Email address {value} is invalid","error":"INVALID_EMAIL","name":"email"}}]'
            contact = self.find(prop, value)
            clash = [p for p in self.unique if p in properties and properties[p] not in ("", None)
                     and self.find(p, str(properties[p])) not in (None, contact)]  # fmt: skip
            if clash and not message:
                message = f"A contact with the value {properties[clash[0]]!r} for {clash[0]} already exists."
            if message:
                errors.append({"status": "error", "category": "VALIDATION_ERROR", "message": message,
                               "context": {"ids": [value]}})  # fmt: skip
                continue
            new = contact is None
            if new:
                contact = str(next(self.ids))
                self.contacts[contact] = {prop: value.lower() if prop == "email" else value}
            self.contacts[contact].update(properties)
            echoed = properties if self.echo_sent_only else self.contacts[contact]
            results.append({"id": contact, "new": new, "archived": False,
                            "properties": {**echoed, "hs_object_id": contact}})  # fmt: skip
        answer = {"status": "COMPLETE", "results": results}
        if errors:
            return 207, {}, {**answer, "errors": errors, "numErrors": len(errors)}
        return 200, {}, answer


class SalesforceFake(FakeCrm):
    """Leads of one Salesforce org, reached through an external client app's client credentials."""

    client_id, client_secret = "3MVG9fake-consumer-key", "fake-consumer-secret-8A4BE698"
    BATCH_LIMIT = 200
    FIELDS = {"FirstName", "LastName", "Title", "Company", "Email", "Phone", "Country", "LeadSource", "Status",
              "Rating", "Description", "HasOptedOutOfEmail", "DoNotCall", "OwnerId"}  # fmt: skip

    def __init__(self, *, external_id_fields: tuple[str, ...] = ("Booth_Lead_Id__c",)):
        super().__init__()
        self.leads: dict[str, dict] = {}
        self.external = set(external_id_fields)
        self.tokens = itertools.count(1)
        self.token = ""
        self.instance_url = ""  # the instance URL its token endpoint answers ("": its own)
        self.refuse: dict[str, str] = {}  # external id -> a validation rule's message

    def fault_body(self, status: int) -> object:
        if status == 429:
            return [{"message": "Too many requests", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
        return [{"message": "Server Unavailable", "errorCode": "SERVER_UNAVAILABLE"}]

    def expire_token(self) -> None:
        self.token = "expired"

    def route(self, method, path, query, headers, body):
        if method == "POST" and path == "/services/oauth2/token":
            form = parse_qs(body)
            if form.get("grant_type") != ["client_credentials"] or form.get("client_id") != [self.client_id] \
                    or form.get("client_secret") != [self.client_secret]:  # fmt: skip
                return 400, {}, {"error": "invalid_client", "error_description": "invalid client credentials"}
            self.token = f"00Dfake!{next(self.tokens)}"
            return 200, {}, {"access_token": self.token, "instance_url": self.instance_url or self.url, "token_type": "Bearer",
                             "id": f"{self.url}/id/00Dfake/005fake", "issued_at": "1700000000000"}  # fmt: skip
        if (
            headers.get("Authorization") != f"Bearer {self.token}"
            or not self.token
            or self.token == "expired"
        ):
            return 401, {}, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
        found = re.fullmatch(r"/services/data/v\d+\.\d+/composite/sobjects(?:/Lead/([A-Za-z0-9_]+))?", path)
        if not found:
            return 404, {}, [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]
        if method == "DELETE" and not found.group(1):
            return self.delete((query.get("ids") or [""])[0].split(","))
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list) or body.get("allOrNone") is not False:
            return (
                400,
                {},
                [{"message": "records and allOrNone false expected", "errorCode": "JSON_PARSER_ERROR"}],
            )
        if len(records) > self.BATCH_LIMIT:
            return (
                400,
                {},
                [
                    {
                        "message": f"Maximum number of records is {self.BATCH_LIMIT}",
                        "errorCode": "EXCEEDED_ID_LIMIT",
                    }
                ],
            )
        if method == "PATCH" and found.group(1):
            if found.group(1) not in self.external:
                return 404, {}, [{"errorCode": "NOT_FOUND",
                                  "message": f"Provided external ID field does not exist or is not accessible: {found.group(1)}"}]  # fmt: skip
            return 200, {}, [self.upsert(found.group(1), record) for record in records]
        if method == "PATCH":
            return 200, {}, [self.update(record) for record in records]
        return 405, {}, [{"message": "Method not allowed", "errorCode": "METHOD_NOT_ALLOWED"}]

    def _fields_error(self, fields: dict) -> dict | None:
        unknown = sorted(set(fields) - self.FIELDS - self.external)
        if unknown:
            return {"statusCode": "INVALID_FIELD", "message": f"No such column '{unknown[0]}' on sobject of type Lead",
                    "fields": unknown}  # fmt: skip
        return None

    def upsert(self, field: str, record: dict) -> dict:
        fields = {k: v for k, v in record.items() if k != "attributes"}
        key = str(fields.get(field) or "")
        if (record.get("attributes") or {}).get("type") != "Lead" or not key:
            return {
                "success": False,
                "errors": [
                    {
                        "statusCode": "INVALID_INPUT",
                        "message": "type Lead and an external id needed",
                        "fields": [],
                    }
                ],
            }
        error = self._fields_error(fields)
        existing = next((rid for rid, lead in self.leads.items() if lead.get(field) == key), None)
        if not error and existing is None and not (fields.get("LastName") and fields.get("Company")):
            error = {"statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [LastName, Company]",
                     "fields": ["LastName", "Company"]}  # fmt: skip
        if not error and key in self.refuse:
            error = {
                "statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                "message": self.refuse[key],
                "fields": [],
            }
        if error:
            return {"success": False, "errors": [error]}
        created = existing is None
        record_id = existing or f"00Q{next(self.ids):012d}"
        self.leads.setdefault(record_id, {}).update(fields)
        return {"id": record_id, "success": True, "errors": [], "created": created}

    def update(self, record: dict) -> dict:
        fields = {k: v for k, v in record.items() if k not in ("attributes", "id")}
        record_id = str(record.get("id") or "")
        if record_id not in self.leads:
            return {
                "success": False,
                "errors": [{"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": []}],
            }
        if error := self._fields_error(fields):
            return {"success": False, "errors": [error]}
        self.leads[record_id].update(fields)
        return {"id": record_id, "success": True, "errors": []}

    def delete(self, ids: list[str]):
        if len(ids) > self.BATCH_LIMIT:
            return (
                400,
                {},
                [
                    {
                        "message": f"Maximum number of ids is {self.BATCH_LIMIT}",
                        "errorCode": "EXCEEDED_ID_LIMIT",
                    }
                ],
            )
        results = []
        for record_id in ids:
            if self.leads.pop(record_id, None) is None:
                results.append({"success": False, "errors": [{"statusCode": "ENTITY_IS_DELETED",
                                                              "message": "entity is deleted", "fields": []}]})  # fmt: skip
            else:
                results.append({"id": record_id, "success": True, "errors": []})
        return 200, {}, results


class Listener(FakeCrm):
    """Any host the push must never call: it answers 200 to everything and keeps what it was sent."""

    def fault_body(self, status: int) -> object:
        return {}

    def route(self, method, path, query, headers, body):
        return 200, {}, {"access_token": "stolen", "instance_url": self.url}
