"""The event ROI workbook: summary per event, funnel, costs, by staff role and by theme, with charts.

The figures come from tracker.analytics.roi, the one place that computes them. Events are headed by their short
label ("Paris 2024"); the Summary sheet gives each one's full name beside it.
"""

from __future__ import annotations

from collections.abc import Iterator

from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter

from tracker.analytics.roi import DEFAULT_QUALIFIED, Roi, qualified_grades, qualified_label, roi_for, stages
from tracker.exports.base import (
    DATE_FORMAT,
    INTEGER_FORMAT,
    PERCENT_FORMAT,
    Column,
    Export,
    Sheet,
    currency_format,
)
from tracker.models import Sponsorship

COST_PER_QUALIFIED = "Cost per qualified lead"


def event_labels(sponsorships: list[Sponsorship]) -> dict[int, str]:
    """A short, distinct label per sponsorship's event ("Paris 2024"; "Paris Mar 2024" and "Paris Jun
    2024" when one city has two events a year), for column headers; full names stay in cells."""
    labels = {s.pk: s.event.short_label for s in sponsorships}
    taken = list(labels.values())
    for s in sponsorships:
        if taken.count(labels[s.pk]) > 1:
            labels[s.pk] = f"{s.event.city} {s.event.start_date:%b %Y}"
    seen: dict[str, int] = {}
    for pk, label in labels.items():
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            labels[pk] = f"{label} ({seen[label]})"
    return labels


def _count(header: str, width: float = 11) -> Column:
    return Column(header, width, INTEGER_FORMAT)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class EventRoiExport(Export):
    """One sponsorship, or a sponsor across events: every figure in the sponsor's reporting currency."""

    filename = "event-roi"

    def __init__(self, sponsorships: list[Sponsorship]):
        self.sponsorships = sponsorships
        self.currency = sponsorships[0].sponsor.reporting_currency if sponsorships else "EUR"
        self.figures: list[Roi] = []
        # The grades the (first) sponsor counts as qualified, for every sponsorship of the file.
        self.grades = qualified_grades(sponsorships[0].sponsor_id) if sponsorships else DEFAULT_QUALIFIED
        self.labels = event_labels(sponsorships)

    def amount(self, header: str, width: float = 15) -> Column:
        return Column(header, width, currency_format(self.currency))

    def summary_columns(self) -> list[Column]:
        count, amount = _count, self.amount
        return [
            Column("Event", 34, wrap=True), Column("Label", 16), Column("Starts", 11, DATE_FORMAT),
            Column("Tier", 10), Column("Booth", 7), amount(f"Costs ({self.currency})"), count("Scans"),
            Column("Swag-only share", 10, PERCENT_FORMAT), count("Unique leads"), count(qualified_label(self.grades)),
            count("Meetings (all leads)"), count("Opportunities (all leads)"), amount("Pipeline"), amount("Won"),
            amount("Cost per lead"), amount(COST_PER_QUALIFIED), amount("Cost per meeting"),
            amount("Cost per opportunity"), Column("Not converted (no stored rate)", 30, wrap=True),
        ]  # fmt: skip

    def sheets(self) -> Iterator[Sheet]:
        # Computed when the file is written (in the task for large ones), not when it is asked for.
        self.figures = roi_for(self.sponsorships, self.grades)
        count, amount = _count, self.amount
        summary = self.summary_columns()
        yield Sheet(
            "Summary",
            summary,
            [self._summary(roi) for roi in self.figures],
            charts=[
                self._cost_per_qualified_chart(1 + [c.header for c in summary].index(COST_PER_QUALIFIED))
            ],
        )
        yield Sheet(
            "Funnel",
            [
                Column("Stage", 22),
                *(Column(self.labels[roi.sponsorship.pk], 14, INTEGER_FORMAT) for roi in self.figures),
                Column("All events", 12, INTEGER_FORMAT),
                Column("Of the stage before", 12, PERCENT_FORMAT),
            ],  # fmt: skip
            self._funnel(),
            charts=[self._funnel_chart],
        )
        yield Sheet(
            "Costs",
            [Column("Event", 16), Column("Category", 18), amount(f"Amount ({self.currency})")],
            [
                (self.labels[roi.sponsorship.pk], category, value)
                for roi in self.figures
                for category, value in sorted(roi.costs_by_category.items())
            ],
        )
        slice_columns = [
            count("Scans"), count("Leads"), count(qualified_label(self.grades)), count("Meetings"), count("Opportunities"),
            amount("Pipeline"), amount("Won"), Column("Qualified share", 10, PERCENT_FORMAT),
        ]  # fmt: skip
        yield Sheet(
            "By staff role",
            [Column("Event", 16), Column("Role (first scan)", 22), *slice_columns],
            [
                (self.labels[roi.sponsorship.pk], role, *self._slice(part))
                for roi in self.figures
                for role, part in sorted(roi.by_role.items())
            ],
        )
        yield Sheet(
            "By theme",
            [Column("Event", 16), Column("Theme or interest", 26), *slice_columns],
            [
                (self.labels[roi.sponsorship.pk], theme, *self._slice(part))
                for roi in self.figures
                for theme, part in sorted(roi.by_theme.items(), key=lambda item: (-item[1].leads, item[0]))
            ],
        )

    @staticmethod
    def _slice(part) -> tuple:
        return (part.scans, part.leads, part.qualified, part.meetings, part.opportunities, part.pipeline,
                part.won_amount, _ratio(part.qualified, part.leads))  # fmt: skip

    def _summary(self, roi: Roi) -> tuple:
        total, sponsorship = roi.total, roi.sponsorship
        missing = ", ".join(f"{amount:,.2f} {code}" for code, amount in sorted(roi.unconverted.items()))
        return (
            sponsorship.event.name, self.labels[sponsorship.pk], sponsorship.event.start_date,
            sponsorship.get_tier_display(), "yes" if sponsorship.has_booth else "no", roi.cost, total.scans,
            _ratio(roi.swag_only_scans, total.scans), total.leads, total.qualified, total.meetings,
            total.opportunities, total.pipeline, total.won_amount, roi.cost_per(total.leads),
            roi.cost_per(total.qualified), roi.cost_per(total.meetings), roi.cost_per(total.opportunities), missing,
        )  # fmt: skip

    def _funnel(self) -> Iterator[tuple]:
        columns = [roi.total.funnel() for roi in self.figures]
        previous = None
        for index, stage in enumerate(stages(self.grades)):
            values = [column[index] for column in columns]
            overall = sum(values)
            yield (stage, *values, overall, _ratio(overall, previous) if previous is not None else None)
            previous = overall

    def _funnel_chart(self, ws, rows: int):
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Funnel: scans to won"
        chart.y_axis.title = "Leads"
        total_column = len(self.figures) + 2
        data = Reference(ws, min_col=total_column, min_row=1, max_row=rows + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
        chart.x_axis.scaling.orientation = "maxMin"  # scans at the top
        chart.height, chart.width = 8, 16
        return f"{get_column_letter(total_column + 3)}2", chart

    def _cost_per_qualified_chart(self, column: int):
        def chart_for(ws, rows: int):
            chart = BarChart()
            chart.title = f"Cost per qualified lead by event ({self.currency})"
            chart.y_axis.title = self.currency
            chart.add_data(Reference(ws, min_col=column, min_row=1, max_row=rows + 1), titles_from_data=True)
            chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=rows + 1))  # the short labels
            chart.height, chart.width = 8, 18
            return f"A{rows + 4}", chart

        return chart_for
