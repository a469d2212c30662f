"""Version 1 of the API, mounted at ``/api/v1/``: its routers, its one error shape, and the schemas of
request bodies the views validate item by item (a batch's scans), added to the OpenAPI document."""

from __future__ import annotations

from ninja import NinjaAPI

from tracker.api import errors, leads, scans
from tracker.scans.schemas import AmendIn, LookupIn, ScanIn


class TrackerApi(NinjaAPI):
    # Bodies read by the views themselves (so that one bad scan in a batch never sinks the others), yet
    # documented: their schemas join the generated components.
    BODIES = (ScanIn, scans.ScanBatch, LookupIn, AmendIn)

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for body in self.BODIES:
            generated = body.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(generated.pop("$defs", {}))
            components[generated.get("title", body.__name__)] = generated
        return schema


api = TrackerApi(
    title="Booth tracker API",
    version="1",
    description=(
        "Scans from phones, kiosks and badge scanners (a device token, or the scan screen's session), "
        "and leads with their ICP score for CRMs and BI tools (a logged-in session). Every error is "
        '`{"error": code, "message": text, "errors": {field: [{"message", "code"}]}}`.'
    ),
    urls_namespace="api",
)
errors.install(api)
api.add_router("", scans.router)
api.add_router("", scans.session_router)
api.add_router("", leads.router)
