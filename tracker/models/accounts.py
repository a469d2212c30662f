"""A sponsor's own list of companies: target accounts, existing customers and who owns them."""

from __future__ import annotations

from django.db import models

from tracker.models.events import Sponsor
from tracker.models.staff import StaffMember


class Account(models.Model):
    """A company the sponsor knows: its domains, size and industry, and whether it is a target or a customer.

    Leads resolve to an account by email domain, then by company name (tracker.scoring.normalise), which
    feeds the ICP's company-size, industry and target-account criteria and routes existing customers
    to their owner.
    """

    sponsor = models.ForeignKey(Sponsor, on_delete=models.CASCADE, related_name="accounts")
    name = models.CharField(max_length=200)
    domains = models.JSONField(
        default=list, blank=True, help_text='Web and email domains, e.g. ["acme.io", "acme.de"].'
    )
    employees = models.PositiveIntegerField(null=True, blank=True)
    industry = models.CharField(max_length=80, blank=True)
    is_target = models.BooleanField(default=False, help_text="On the target-account list.")
    is_customer = models.BooleanField(default=False, help_text="Already a customer: leads go to the owner.")
    owner = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_accounts"
    )

    class Meta:
        ordering = ("sponsor", "name")
        constraints = [
            models.UniqueConstraint(
                fields=("sponsor", "name"),
                name="account_name_unique_per_sponsor",
                violation_error_message="This sponsor already has an account with this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name
