"""Stored currency rates, the only way costs and amounts in different currencies are compared."""

from __future__ import annotations

from django.contrib import admin

from tracker.admin.site import TrackerModelAdmin, site
from tracker.models import CurrencyRate


@admin.register(CurrencyRate, site=site)
class CurrencyRateAdmin(TrackerModelAdmin):
    list_display = ("__str__", "source", "target", "rate", "valid_on", "note")
    list_filter = ("source", "target")
    search_fields = ("source", "target", "note")
    date_hierarchy = "valid_on"
