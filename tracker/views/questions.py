"""A sponsor's qualifying questions, defined, ordered and removed by its managers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tracker.models import Question, Sponsor
from tracker.models.questions import ASKED_FIRST
from tracker.questions.forms import QuestionForm
from tracker.tenancy import get_managed_or_404, parse_id


@login_required
def questions(request: HttpRequest, pk: int) -> HttpResponse:
    """The sponsor's questions in the order booth staff see them; a new one, or one edited (?edit=id)."""
    sponsor = get_managed_or_404(Sponsor, request.user, pk)
    editing = None
    if (edit_id := parse_id(request.GET.get("edit"))) is not None:
        editing = get_managed_or_404(Question.objects.filter(sponsor=sponsor), request.user, edit_id)
    form = QuestionForm(request.POST or None, instance=editing, sponsor=sponsor)
    if request.method == "POST" and form.is_valid():
        question = form.save()
        messages.success(request, f"“{question.label}” is {'changed' if editing else 'added'}: phones ask it from their next reload.")  # fmt: skip
        return redirect("questions", pk=sponsor.pk)
    listed = (
        Question.objects.filter(sponsor=sponsor)
        .select_related("sponsorship__event")
        .annotate(leads_answered=Count("lead_answers__lead", distinct=True))
        .order_by(ASKED_FIRST, "position", "pk")
    )
    context = {
        "sponsor": sponsor,
        "form": form,
        "editing": editing,
        "active": [q for q in listed if q.archived_at is None],
        "removed": [q for q in listed if q.archived_at is not None],
    }
    return render(request, "tracker/questions.html", context)


@login_required
@require_POST
def question_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a question up or down, remove it (its answers stay) or ask it again (``action``)."""
    question = get_managed_or_404(Question, request.user, pk)
    action = request.POST.get("action")
    if action == "remove":
        question.archived_at = timezone.now()
        question.save(update_fields=["archived_at"])
        messages.success(
            request, f"“{question.label}” is no longer asked; the answers given stay with the leads."
        )
    elif action == "restore":
        question.archived_at = None
        question.save(update_fields=["archived_at"])
        messages.success(request, f"“{question.label}” is asked again.")
    elif action in ("up", "down"):
        question_move(question, -1 if action == "up" else 1)
    else:
        messages.error(request, "Choose to move, remove or ask the question again.")
    return redirect("questions", pk=question.sponsor_id)


def question_move(question: Question, step: int) -> None:
    """Swap a question with its neighbour among the sponsor's active questions (positions renumbered)."""
    with transaction.atomic():
        ordered = list(
            Question.objects.select_for_update()
            .filter(sponsor_id=question.sponsor_id, archived_at__isnull=True)
            .order_by("position", "pk")
        )
        index = next((i for i, q in enumerate(ordered) if q.pk == question.pk), None)
        if index is None or not 0 <= index + step < len(ordered):
            return
        ordered[index], ordered[index + step] = ordered[index + step], ordered[index]
        for position, item in enumerate(ordered, start=1):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])
