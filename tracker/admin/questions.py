"""Qualifying questions in the operators' admin; leads' answers, derived from their scans, read-only."""

from __future__ import annotations

from django.contrib import admin

from tracker.admin.site import TrackerModelAdmin, site
from tracker.models import LeadAnswer, Question


@admin.register(Question, site=site)
class QuestionAdmin(TrackerModelAdmin):
    """A sponsor's question, at one booth or all; managers keep them on the app's Questions page."""

    list_display = ("label", "sponsor", "sponsorship", "kind", "required", "position", "archived_at")
    list_filter = ("kind", "required")
    list_select_related = ("sponsor", "sponsorship__sponsor", "sponsorship__event")
    search_fields = ("label", "sponsor__name")
    autocomplete_fields = ("sponsor", "sponsorship")

    def get_readonly_fields(self, request, obj=None):
        # Its answers are the sponsor's: a question never moves to another sponsor.
        return ("sponsor",) if obj is not None else ()


@admin.register(LeadAnswer, site=site)
class LeadAnswerAdmin(TrackerModelAdmin):
    """A lead's current answer: recomputed from its scans whenever they change, so never edited here."""

    list_display = ("lead", "question", "value")
    list_select_related = ("lead__attendee", "lead__sponsorship__sponsor", "question")
    search_fields = ("value", "question__label", "lead__attendee__last_name")
    readonly_fields = ("lead", "question", "value", "number")

    def has_add_permission(self, request) -> bool:
        return False
