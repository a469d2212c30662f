"""Users, the staff members they are for sponsors, and which booths they are rostered on."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from tracker.admin.site import TabularInline, TrackerModelAdmin, count_of, site
from tracker.devices import token_issue, token_revoke
from tracker.models import DeviceToken, StaffMember
from tracker.models.privacy import AuditAction
from tracker.privacy.audit import audit
from tracker.tenancy import member_booths


def staff_name(member: StaffMember | None) -> str:
    """A staff member's name without the sponsor, for columns that show the sponsor anyway."""
    if member is None:
        return "-"
    return member.user.get_full_name() or member.user.get_username()


class StaffMemberInline(TabularInline):
    """Memberships on a sponsor's page (pick the user) or on a user's page (pick the sponsor).

    The roster (``sponsorships``) is edited on the staff member's own page, where it is validated.
    """

    model = StaffMember
    fields = ("user", "sponsor", "role", "level", "home_region", "time_zone", "is_active")
    autocomplete_fields = ("user", "sponsor")
    show_change_link = True


ROLE_FIELDS = ("role", "level", "is_active")


def roles_before(member: StaffMember) -> dict | None:
    return StaffMember.objects.filter(pk=member.pk).values(*ROLE_FIELDS).first() if member.pk else None


def audit_role_change(request, member: StaffMember, before: dict | None) -> None:
    """A staff member's role, permission level or activity as saved, in the sponsor's audit log if it
    changed (from the staff member's page or a sponsor's or user's list of memberships)."""
    after = {name: getattr(member, name) for name in ROLE_FIELDS}
    if before == after:
        return
    what = ", ".join(f"{name} {before[name] if before else '—'} → {value}" for name, value in after.items()
                     if not before or before[name] != value)  # fmt: skip
    audit(AuditAction.ROLE_CHANGED, user=request.user, sponsor_id=member.sponsor_id,
          summary=f"{member.display_name}: {what}", staff=member.pk, before=before, after=after)  # fmt: skip


class StaffMemberInlineAudited:
    """For admins with an inline of staff memberships: their role changes are audited too."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not StaffMember:
            return super().save_formset(request, form, formset, change)
        before = {f.instance.pk: roles_before(f.instance) for f in formset.forms if f.instance.pk}
        super().save_formset(request, form, formset, change)
        for member in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
            audit_role_change(request, member, before.get(member.pk))


class StaffMemberAdminForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = ("user", "sponsor", "role", "level", "is_active", "sponsorships", "home_region", "time_zone")

    def clean(self):
        cleaned_data = super().clean()
        sponsor = cleaned_data.get("sponsor")
        sponsorships = cleaned_data.get("sponsorships")
        if sponsor is not None and sponsorships is not None:
            try:
                StaffMember(sponsor=sponsor).validate_roster(sponsorships.select_related("sponsor", "event"))
            except ValidationError as error:
                self.add_error("sponsorships", error)
        return cleaned_data


@admin.register(StaffMember, site=site)
class StaffMemberAdmin(TrackerModelAdmin):
    form = StaffMemberAdminForm

    def save_model(self, request, obj, form, change):
        """Saved, and a change of role, permission level or activity is in the sponsor's audit log."""
        before = roles_before(obj) if change else None
        super().save_model(request, obj, form, change)
        audit_role_change(request, obj, before)

    str_related = ("user", "sponsor")
    list_display = ("name", "email", "sponsor", "role", "level", "home_region", "booth_count", "is_active")
    list_display_links = ("name",)
    list_filter = ("role", "level", "is_active", "home_region")
    search_fields = ("user__first_name", "user__last_name", "user__username", "user__email", "sponsor__name")
    autocomplete_fields = ("user", "sponsor", "sponsorships")
    fieldsets = (
        (None, {"fields": ("user", "sponsor", "role", "level", "is_active")}),
        ("Booths", {"fields": ("sponsorships",), "description": "Only this sponsor's sponsorships."}),
        ("Where", {"fields": ("home_region", "time_zone")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(booth_count=count_of(StaffMember.sponsorships.through, "staffmember"))
        )

    @admin.display(description="name", ordering="user__last_name")
    def name(self, obj: StaffMember) -> str:
        return staff_name(obj)

    @admin.display(description="email", ordering="user__email")
    def email(self, obj: StaffMember) -> str:
        return obj.user.email

    @admin.display(description="booths", ordering="booth_count")
    def booth_count(self, obj: StaffMember) -> int:
        return obj.booth_count


class DeviceTokenForm(forms.ModelForm):
    class Meta:
        model = DeviceToken
        fields = ("staff", "sponsorship", "name")

    def clean(self):
        data = super().clean()
        staff, booth = data.get("staff"), data.get("sponsorship")
        if staff and booth and staff.sponsor_id != booth.sponsor_id:
            raise forms.ValidationError(
                "This booth is another sponsor's: pick one of the staff member's sponsor."
            )
        if staff and booth and not member_booths(staff).filter(pk=booth.pk).exists():
            raise forms.ValidationError(
                f"{staff} is not on the roster of this booth: the token could not scan."
            )
        return data


@admin.register(DeviceToken, site=site)
class DeviceTokenAdmin(TrackerModelAdmin):
    """Scanning devices' API tokens. Adding one issues a key, shown once; a lost device is revoked."""

    str_related = ("staff__user", "staff__sponsor", "sponsorship__sponsor", "sponsorship__event")
    list_display = ("name", "staff", "sponsorship", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "staff__sponsor")
    search_fields = ("name", "staff__user__first_name", "staff__user__last_name", "staff__sponsor__name")
    date_hierarchy = "created_at"
    autocomplete_fields = ("staff", "sponsorship")
    readonly_fields = ("created_at", "last_used_at")
    actions = ("revoke",)
    form = DeviceTokenForm

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("staff", "sponsorship", "name")
        return ("staff", "sponsorship", "name", "created_at", "last_used_at", "revoked_at")

    def save_form(self, request, form, change):
        unsaved = super().save_form(request, form, change)
        if change:
            return unsaved
        # Only the hash is stored, so the key must come from DeviceToken.issue and be shown now.
        token, key = token_issue(
            staff=form.cleaned_data["staff"], name=form.cleaned_data["name"],
            sponsorship=form.cleaned_data["sponsorship"], by_user=request.user,
        )  # fmt: skip
        self.message_user(
            request,
            f"The key of {token.name} is {key} — enter it on the device now; it cannot be shown again.",
            messages.WARNING,
        )
        return token

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)

    @admin.action(description="Revoke the selected device tokens")
    def revoke(self, request, queryset) -> None:
        revoked = sum(token_revoke(token, by_user=request.user) for token in queryset.select_related("staff"))
        self.message_user(request, f"Revoked {revoked} device token(s).", messages.SUCCESS)


User = get_user_model()


@admin.register(User, site=site)
class TrackerUserAdmin(StaffMemberInlineAudited, UserAdmin):
    """Django's user admin (search by name and email), plus the sponsors the user works for."""

    inlines = (StaffMemberInline,)


site.register(Group, GroupAdmin)
