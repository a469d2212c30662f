"""Plain words on the forms people use every day: no "---------", no Ctrl-click lists, and people who
share a name told apart wherever one is chosen."""

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(client):
    booth = f.SponsorshipFactory(sponsor__name="Alpha Cloud")
    manager = f.StaffMemberFactory(
        sponsor=booth.sponsor, level="manager", user__first_name="Mia", user__last_name="Boss"
    )
    twins = [
        f.StaffMemberFactory(sponsor=booth.sponsor, role=role, user__first_name="Sam", user__last_name="Lee",
                             user__email=email)
        for role, email in (("sales", "sam.lee@alpha.example"), ("devrel", "sam.lee2@alpha.example"))
    ]  # fmt: skip
    lead = f.LeadFactory(sponsorship=booth)
    f.FollowUpFactory(lead=lead, owner=twins[0])
    client.force_login(manager.user)
    return booth, manager, twins, lead


def test_filters_say_any_and_offer_checkboxes_not_list_boxes(client, team):
    booth, *_ = team
    for url in (reverse("all-leads"), reverse("lead-list", args=[booth.pk]), reverse("follow-up-list")):
        page = client.get(url).content.decode()
        form = page.split('class="filters"')[1].split("</form>")[0]
        assert "---------" not in form and "multiple" not in form, url
        assert 'type="checkbox" name="grade" value="A"' in form and 'name="status" value="won"' in form, url
        assert ">Follow-up status<" in form and "Search:" not in form, url


def test_people_sharing_a_name_are_told_apart_wherever_an_owner_is_chosen(client, team):
    booth, manager, twins, lead = team
    sales, devrel = (
        "Sam Lee · Sales · sam.lee@alpha.example",
        "Sam Lee · Developer relations · sam.lee2@alpha.example",
    )
    pages = {
        "lead list": reverse("lead-list", args=[booth.pk]),
        "follow-up list": reverse("follow-up-list"),
        "lead page": reverse("lead-detail", args=[lead.pk]),
        "follow-up rules": reverse("follow-up-rules", args=[booth.sponsor.pk]),
    }
    for where, url in pages.items():
        page = client.get(url).content.decode()
        assert sales in page and devrel in page, where
        assert ">Mia Boss<" in page, where  # a name nobody shares stays just the name


def test_follow_up_rules_offer_roles_as_checkboxes_and_only_the_fields_a_rule_uses(client, team):
    booth, *_ = team
    f.AssignmentRuleFactory(sponsor=booth.sponsor, condition="region", region="EU", roles=["sales"])
    page = client.get(reverse("follow-up-rules", args=[booth.sponsor.pk])).content.decode()
    assert "---------" not in page and "multiple" not in page
    assert 'type="checkbox" name="rules-0-roles" value="sales"' in page
    assert 'td data-for="region"' in page and "tracker/rules.js" in page
