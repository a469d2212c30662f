"""The event ROI workbook: summary per event, funnel, costs, by staff role and by theme, with charts."""

from __future__ import annotations

from collections.abc import Iterator

from openpyxl.chart import BarChart, Reference

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
from tracker.roi import STAGES, Roi, roi_for


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class EventRoiExport(Export):
    """One sponsorship, or a sponsor across events: every figure in the sponsor's reporting currency."""

    filename = "event-roi"

    def __init__(self, sponsorships: list[Sponsorship]):
        self.sponsorships = sponsorships
        self.currency = sponsorships[0].sponsor.reporting_currency if sponsorships else "EUR"
        self.figures: list[Roi] = []

    def sheets(self) -> Iterator[Sheet]:
        # Computed when the file is written (in the task for large ones), not when it is asked for.
        self.figures = roi_for(self.sponsorships)
        money = currency_format(self.currency)
        count = lambda header, width=11: Column(header, width, INTEGER_FORMAT)  # noqa: E731
        amount = lambda header, width=15: Column(header, width, money)  # noqa: E731
        yield Sheet(
            "Summary",
            [
                Column("Event", 34),
                Column("Starts", 11, DATE_FORMAT),
                Column("Tier", 10),
                Column("Booth", 7),
                amount(f"Costs ({self.currency})"),
                count("Scans"),
                Column("Swag-only share", 10, PERCENT_FORMAT),
                count("Unique leads"),
                count("Qualified (A/B)"),
                count("Meetings"),
                count("Opportunities"),
                amount("Pipeline"),
                amount("Won"),
                amount("Cost per lead"),
                amount("Cost per qualified lead"),
                amount("Cost per meeting"),
                amount("Cost per opportunity"),
                Column("Not converted (no stored rate)", 30),
            ],  # fmt: skip
            [self._summary(roi) for roi in self.figures],
            charts=[self._cost_per_qualified_chart],
        )
        yield Sheet(
            "Funnel",
            [
                Column("Stage", 18),
                *(Column(roi.sponsorship.event.name[:40], 16, INTEGER_FORMAT) for roi in self.figures),
                Column("All events", 12, INTEGER_FORMAT),
                Column("Of the stage before", 12, PERCENT_FORMAT),
            ],  # fmt: skip
            self._funnel(),
            charts=[self._funnel_chart],
        )
        yield Sheet(
            "Costs",
            [Column("Event", 34), Column("Category", 18), amount(f"Amount ({self.currency})")],
            [
                (roi.sponsorship.event.name, category, value)
                for roi in self.figures
                for category, value in sorted(roi.costs_by_category.items())
            ],
        )
        slice_columns = [
            count("Scans"), count("Leads"), count("Qualified (A/B)"), count("Meetings"), count("Opportunities"),
            amount("Pipeline"), amount("Won"), Column("Qualified share", 10, PERCENT_FORMAT),
        ]  # fmt: skip
        yield Sheet(
            "By staff role",
            [Column("Event", 34), Column("Role (first scan)", 22), *slice_columns],
            [
                (roi.sponsorship.event.name, role, *self._slice(part))
                for roi in self.figures
                for role, part in sorted(roi.by_role.items())
            ],
        )
        yield Sheet(
            "By theme",
            [Column("Event", 34), Column("Theme or interest", 26), *slice_columns],
            [
                (roi.sponsorship.event.name, theme, *self._slice(part))
                for roi in self.figures
                for theme, part in sorted(roi.by_theme.items(), key=lambda item: (-item[1].leads, item[0]))
            ],
        )

    @staticmethod
    def _slice(part) -> tuple:
        return (part.scans or None, part.leads, part.qualified, part.meetings, part.opportunities,
                part.pipeline, part.won_amount, _ratio(part.qualified, part.leads))  # fmt: skip

    @staticmethod
    def _summary(roi: Roi) -> tuple:
        total, sponsorship = roi.total, roi.sponsorship
        missing = ", ".join(f"{amount:,.2f} {code}" for code, amount in sorted(roi.unconverted.items()))
        return (
            sponsorship.event.name, sponsorship.event.start_date, sponsorship.get_tier_display(),
            "yes" if sponsorship.has_booth else "no", roi.cost, total.scans,
            _ratio(roi.swag_only_scans, total.scans), total.leads, total.qualified, total.meetings,
            total.opportunities, total.pipeline, total.won_amount, roi.cost_per(total.leads),
            roi.cost_per(total.qualified), roi.cost_per(total.meetings), roi.cost_per(total.opportunities), missing,
        )  # fmt: skip

    def _funnel(self) -> Iterator[tuple]:
        columns = [roi.total.funnel() for roi in self.figures]
        previous = None
        for index, stage in enumerate(STAGES):
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
        return f"{chr(ord('A') + total_column + 2)}2", chart

    def _cost_per_qualified_chart(self, ws, rows: int):
        chart = BarChart()
        chart.title = f"Cost per qualified lead by event ({self.currency})"
        chart.y_axis.title = self.currency
        data = Reference(ws, min_col=15, min_row=1, max_row=rows + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
        chart.height, chart.width = 8, 18
        return f"A{rows + 4}", chart
