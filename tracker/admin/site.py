"""The operators' admin site: only active superusers get in; shared pieces of the model admins."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce


class OperatorAuthenticationForm(AdminAuthenticationForm):
    """The admin login form, refusing anyone who is not a superuser (staff status alone is not enough)."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise ValidationError(
                "This admin is for operators (superusers) only; sponsor staff use the tracker itself.",
                code="invalid_login",
            )


class TrackerAdminSite(admin.AdminSite):
    """Data entry for operators. Sponsor managers work in the tracker, where tenancy scopes what they see."""

    site_header = "Booth tracker admin"
    site_title = "Booth tracker admin"
    index_title = "Data entry"
    login_form = OperatorAuthenticationForm

    def has_permission(self, request) -> bool:
        # The admin shows every sponsor's leads unscoped, so staff status and model permissions are not enough.
        user = request.user
        return user.is_active and user.is_superuser


site = TrackerAdminSite(name="admin")


def str_related(admin_site: admin.AdminSite, model: type[models.Model]) -> tuple[str, ...]:
    """The relations ``model``'s ``__str__`` reads, as declared on its admin."""
    return getattr(admin_site._registry.get(model), "str_related", ())


class LabelsWithoutExtraQueries:
    """Loads, with each object, the related rows its label (``__str__``) reads: in change lists,
    autocomplete results, inline rows, and the selected values of autocomplete fields pointing at it.
    Otherwise each label shown costs one query per relation it touches."""

    def related_to_load(self) -> tuple[str, ...]:
        return str_related(self.admin_site, self.model)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        related = self.related_to_load()
        return queryset.select_related(*related) if related else queryset

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        related = str_related(self.admin_site, db_field.remote_field.model)
        if not related:
            return queryset
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db).all()
        return queryset.select_related(*related)


class TrackerModelAdmin(LabelsWithoutExtraQueries, admin.ModelAdmin):
    """Defaults for the tracker's model admins: long pages, save buttons on top for long forms."""

    list_per_page = 50
    save_on_top = True
    # Django 6 assumes https for scheme-less URLs; do so now (and without its deprecation warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    #: The relations this model's ``__str__`` reads (see :class:`LabelsWithoutExtraQueries`).
    str_related: tuple[str, ...] = ()
    list_select_related: tuple[str, ...] = ()

    def related_to_load(self) -> tuple[str, ...]:
        # The change list ignores list_select_related once get_queryset has select_related; add it here.
        return (*self.str_related, *self.list_select_related)


class TabularInline(LabelsWithoutExtraQueries, admin.TabularInline):
    extra = 0


class StackedInline(LabelsWithoutExtraQueries, admin.StackedInline):
    pass


def count_of(model: type[models.Model], lookup: str) -> Coalesce:
    """The number of ``model`` rows whose ``lookup`` is the outer row, as a correlated subquery.

    A subquery, unlike ``Count`` over a join, lets one queryset carry several counts without the joins
    multiplying each other's rows.
    """
    counted = (
        model._default_manager.filter(**{lookup: OuterRef("pk")})
        .order_by()
        .values(lookup)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


if axes_settings.AXES_ENABLE_ADMIN:
    # Operators unlock locked-out booth logins here; django-axes registered these on the default site.
    site.register(AccessAttempt, AccessAttemptAdmin)
    site.register(AccessLog, AccessLogAdmin)
    site.register(AccessFailureLog, AccessFailureLogAdmin)
