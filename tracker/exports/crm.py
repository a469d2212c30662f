"""CRM-ready CSVs of the sales list in the column layouts HubSpot and Salesforce import.

Only leads who agreed to be contacted are in them: a CRM import is contacting them. Phone numbers go
in E.164 where the country is known, the form CRMs match and dial.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from tracker.crm.facts import leads_facts
from tracker.crm.mapping import HUBSPOT, HUBSPOT_FIELDS, SALESFORCE, SALESFORCE_FIELDS, LeadFacts, layout_row
from tracker.exports.answers import export_questions, question_headers
from tracker.exports.base import Column, Export, Sheet
from tracker.exports.leads import CHUNK, sales_order
from tracker.models import Lead


class _CrmExport(Export):
    """Consenting leads of a queryset (already scoped), best first, in a CRM's layout
    (``tracker.crm.mapping``, which the CRM push sends too)."""

    columns: tuple[Column, ...] = ()

    def __init__(self, leads: QuerySet[Lead]):
        self.leads = leads.filter(consent=True)
        # The sponsors' own questions, a column each after the layout's (a CRM import maps them to
        # custom properties, or leaves them out).
        sponsors = leads.order_by().values_list("sponsorship__sponsor_id", flat=True).distinct()
        self.questions = export_questions(sponsors)

    def sheets(self) -> Iterator[Sheet]:
        ids = list(sales_order(self.leads).values_list("pk", flat=True))
        columns = (
            *self.columns,
            *(Column(header) for header in question_headers(self.columns, self.questions)),
        )
        yield Sheet(self.filename, columns, self._rows(ids), row_count=len(ids))

    def _rows(self, ids: list[int]) -> Iterator[tuple]:
        for start in range(0, len(ids), CHUNK):
            for facts in leads_facts(ids[start : start + CHUNK]):
                yield (*self.row(facts), *(facts.answers.get(q.id, "") for q in self.questions))

    def row(self, facts: LeadFacts) -> tuple:
        raise NotImplementedError


class HubSpotExport(_CrmExport):
    filename = "hubspot-contacts"
    columns = tuple(Column(field.header) for field in HUBSPOT_FIELDS)

    def row(self, facts: LeadFacts) -> tuple:
        return layout_row(HUBSPOT, facts)


class SalesforceExport(_CrmExport):
    filename = "salesforce-leads"
    columns = tuple(Column(field.header) for field in SALESFORCE_FIELDS)

    def row(self, facts: LeadFacts) -> tuple:
        return layout_row(SALESFORCE, facts)
