"""The funding formula: reading it, signing it, recording new versions, and the gap
the reports raise until every current member has signed the current version."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from assessments.reporting.data import partnership_report
from partnerships.models import FundingFormula, FundingShare, FundingSignOff, Role
from partnerships.services import SignOffRefused, record_funding_formula, sign_funding_formula
from tests.builders import add_partner
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GAP = "funding-formula-not-agreed"
ICT_EXPLANATION = "The funding formula is agreed by the chief executive and finance director"
ERROR_SUMMARY = "There is a problem"
SIGN_FORM = 'name="signer_name"'


def funding_url(partnership):
    return reverse("partnerships:funding", args=[partnership.pk])


def sign_url(partnership):
    return reverse("partnerships:funding_sign", args=[partnership.pk])


def edit_url(partnership):
    return reverse("partnerships:funding_edit", args=[partnership.pk])


def sign_data(version, **overrides):
    data = {
        "version": str(version),
        "signer_name": "Alex Morgan",
        "signer_role": "Chief Executive",
        "confirm": "on",
    }
    data.update(overrides)
    return data


def record(partnership, *, text="Costs shared by population served.", shares=None, user=None):
    user = user or UserFactory(organisation=None, role="", is_staff=True)
    return record_funding_formula(
        partnership=partnership, text=text, shares=shares or {}, user=user
    )


def gap_codes(round_):
    return [gap["code"] for gap in partnership_report(round_)["gaps"]]


@pytest.fixture
def partner(council_a):
    """A second, non-lead member of council A's partnership."""
    return add_partner(council_a.partnership, "Copperfield Council")


@pytest.fixture
def partner_executive(partner):
    return UserFactory(
        username="copperfield-exec",
        first_name="Sam",
        last_name="Patel",
        organisation=partner,
        role=Role.EXECUTIVE,
    )


# ---------------------------------------------------------------- signing


def test_an_executive_of_a_member_signs_the_current_version_from_the_funding_page(
    client, council_a
):
    formula = record(council_a.partnership)
    client.force_login(council_a.executive)
    page = client.get(funding_url(council_a.partnership))
    assert page.status_code == 200
    assert page.context["can_sign"] is True
    assert SIGN_FORM in page.text
    assert 'name="version" value="1"' in page.text

    before = timezone.now()
    response = client.post(
        sign_url(council_a.partnership),
        sign_data(1, signer_name="Alex Morgan", signer_role="Director of Finance"),
        follow=True,
    )

    assert response.redirect_chain == [(funding_url(council_a.partnership), 302)]
    sign_off = FundingSignOff.objects.get()
    assert sign_off.formula == formula
    assert sign_off.organisation == council_a.organisation
    assert sign_off.signed_by == council_a.executive
    assert sign_off.signer_name == "Alex Morgan"
    assert sign_off.signer_role == "Director of Finance"
    assert before <= sign_off.signed_at <= timezone.now()
    assert "has signed version 1 of the funding formula" in response.text
    signed_on = timezone.localtime(sign_off.signed_at).strftime("%-d %B %Y")
    assert f"Alex Morgan, Director of Finance, {signed_on}" in response.text
    assert response.context["can_sign"] is False
    assert response.context["sign_form"] is None
    assert SIGN_FORM not in response.text
    # The lead is the only member, so the formula is now agreed.
    assert response.context["agreed"] is True
    assert "Agreed" in response.text


def test_an_ict_manager_of_a_member_is_told_who_signs_and_cannot_sign(client, council_a):
    record(council_a.partnership)
    client.force_login(council_a.ict_manager)

    page = client.get(funding_url(council_a.partnership))
    assert page.status_code == 200
    assert ICT_EXPLANATION in page.text
    assert page.context["can_sign"] is False
    assert SIGN_FORM not in page.text

    forced = client.post(sign_url(council_a.partnership), sign_data(1))
    assert forced.status_code == 403
    assert not FundingSignOff.objects.exists()


def test_an_administrator_without_an_organisation_cannot_sign(client, council_a, administrator):
    record(council_a.partnership)
    client.force_login(administrator)
    assert client.get(funding_url(council_a.partnership)).context["can_sign"] is False
    assert client.post(sign_url(council_a.partnership), sign_data(1)).status_code == 403
    assert not FundingSignOff.objects.exists()


# ---------------------------------------------------------------- who can see what


@pytest.mark.parametrize("persona", ["ict_manager", "executive"])
def test_users_of_a_non_member_organisation_get_not_found_everywhere(
    client, council_a, council_b, persona
):
    record(council_a.partnership)
    client.force_login(getattr(council_b, persona))
    partnership = council_a.partnership

    assert client.get(funding_url(partnership)).status_code == 404
    assert client.post(sign_url(partnership), sign_data(1)).status_code == 404
    assert client.get(edit_url(partnership)).status_code == 404
    assert client.post(edit_url(partnership), {"text": "Ours now"}).status_code == 404
    assert not FundingSignOff.objects.exists()
    assert FundingFormula.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, council_a):
    record(council_a.partnership)
    partnership = council_a.partnership
    for response in [
        client.get(funding_url(partnership)),
        client.post(sign_url(partnership), sign_data(1)),
        client.get(edit_url(partnership)),
        client.post(edit_url(partnership), {"text": "Anonymous formula"}),
    ]:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not FundingSignOff.objects.exists()
    assert FundingFormula.objects.count() == 1


def test_an_executive_of_a_member_that_left_can_no_longer_see_or_sign(client, council_a, partner):
    record(council_a.partnership)
    executive = UserFactory(organisation=partner, role=Role.EXECUTIVE)
    partner.memberships.update(left_on=timezone.localdate())
    client.force_login(executive)
    assert client.get(funding_url(council_a.partnership)).status_code == 404
    assert client.post(sign_url(council_a.partnership), sign_data(1)).status_code == 404
    assert not FundingSignOff.objects.exists()


# ---------------------------------------------------------------- recording


def test_an_administrator_records_a_formula_with_a_share_for_every_member(
    client, council_a, partner, administrator
):
    client.force_login(administrator)
    assert client.get(edit_url(council_a.partnership)).status_code == 200

    response = client.post(
        edit_url(council_a.partnership),
        {
            "text": "  Costs shared by population served.  ",
            f"share_{council_a.organisation.pk}": "60",
            f"share_{partner.pk}": "40",
        },
        follow=True,
    )

    assert response.redirect_chain == [(funding_url(council_a.partnership), 302)]
    formula = FundingFormula.objects.get()
    assert formula.partnership == council_a.partnership
    assert formula.version == 1
    assert formula.text == "Costs shared by population served."
    assert formula.created_by == administrator
    assert {s.organisation_id: s.percentage for s in formula.shares.all()} == {
        council_a.organisation.pk: Decimal("60"),
        partner.pk: Decimal("40"),
    }
    assert "Version 1 of the funding formula is recorded" in response.text
    assert "60%" in response.text
    assert "40%" in response.text
    assert "Not agreed yet" in response.text


def test_the_lead_partners_executive_can_record_the_formula(client, council_a, partner):
    client.force_login(council_a.executive)
    page = client.get(funding_url(council_a.partnership))
    assert page.context["can_record"] is True
    assert edit_url(council_a.partnership) in page.text

    response = client.post(
        edit_url(council_a.partnership),
        {
            "text": "Split evenly.",
            f"share_{council_a.organisation.pk}": "50",
            f"share_{partner.pk}": "50",
        },
    )

    assert response.status_code == 302
    formula = FundingFormula.objects.get()
    assert formula.version == 1
    assert formula.created_by == council_a.executive
    assert formula.shares.count() == 2


def test_an_executive_of_a_non_lead_member_cannot_record_the_formula(
    client, council_a, partner, partner_executive
):
    client.force_login(partner_executive)
    assert client.get(funding_url(council_a.partnership)).context["can_record"] is False
    assert client.get(edit_url(council_a.partnership)).status_code == 403
    response = client.post(
        edit_url(council_a.partnership),
        {
            "text": "We pay nothing.",
            f"share_{council_a.organisation.pk}": "100",
            f"share_{partner.pk}": "0",
        },
    )
    assert response.status_code == 403
    assert not FundingFormula.objects.exists()


def test_an_ict_manager_of_the_lead_cannot_record_the_formula(client, council_a):
    client.force_login(council_a.ict_manager)
    assert client.get(funding_url(council_a.partnership)).context["can_record"] is False
    assert client.get(edit_url(council_a.partnership)).status_code == 403
    assert client.post(edit_url(council_a.partnership), {"text": "Mine."}).status_code == 403
    assert not FundingFormula.objects.exists()


def test_the_edit_page_starts_from_the_current_version(client, council_a, partner, administrator):
    record(
        council_a.partnership,
        text="Version one wording.",
        shares={council_a.organisation.pk: Decimal("70"), partner.pk: Decimal("30")},
    )
    client.force_login(administrator)
    response = client.get(edit_url(council_a.partnership))
    form = response.context["form"]
    assert form.initial["text"] == "Version one wording."
    assert form.initial[f"share_{council_a.organisation.pk}"] == Decimal("70")
    assert form.initial[f"share_{partner.pk}"] == Decimal("30")
    assert "Saving creates version 2" in response.text


def test_editing_makes_a_new_version_and_keeps_the_old_sign_offs_as_history(
    client, council_a, partner, partner_executive, administrator
):
    shares = {f"share_{council_a.organisation.pk}": "60", f"share_{partner.pk}": "40"}
    client.force_login(administrator)
    client.post(edit_url(council_a.partnership), {"text": "Version one.", **shares})
    client.force_login(council_a.executive)
    client.post(sign_url(council_a.partnership), sign_data(1, signer_name="Alex Morgan"))
    client.force_login(partner_executive)
    client.post(sign_url(council_a.partnership), sign_data(1, signer_name="Sam Patel"))
    version_1 = FundingFormula.objects.get(version=1)
    assert version_1.sign_offs.count() == 2

    client.force_login(administrator)
    response = client.post(
        edit_url(council_a.partnership),
        {
            "text": "Version two.",
            f"share_{council_a.organisation.pk}": "55",
            f"share_{partner.pk}": "45",
        },
        follow=True,
    )

    version_2 = FundingFormula.objects.get(version=2)
    assert version_2.text == "Version two."
    assert not version_2.sign_offs.exists()
    assert {s.signer_name for s in version_1.sign_offs.all()} == {"Alex Morgan", "Sam Patel"}
    assert FundingSignOff.objects.count() == 2
    assert response.context["formula"] == version_2
    assert response.context["history"] == [version_1]
    assert response.context["agreed"] is False
    assert all(row["sign_off"] is None for row in response.context["rows"])
    current, history = response.text.split("Earlier versions")
    assert "Version 2" in current
    assert "Not signed" in current
    assert "Alex Morgan" not in current
    assert "Version 1, recorded" in history
    assert "Version one." in history
    assert "Avonford Council (Alex Morgan," in history
    assert "Copperfield Council (Sam Patel," in history

    # Both executives can, and must, sign again.
    client.force_login(partner_executive)
    assert client.get(funding_url(council_a.partnership)).context["can_sign"] is True


# ---------------------------------------------------------------- the report's gap


def test_the_gap_stays_until_every_current_member_signs_the_current_version(
    client, council_a, partner, partner_executive
):
    round_ = council_a.round
    assert GAP in gap_codes(round_), "no formula recorded"

    shares = {council_a.organisation.pk: Decimal("60"), partner.pk: Decimal("40")}
    version_1 = record(council_a.partnership, shares=shares)
    assert GAP in gap_codes(round_), "nobody has signed"

    sign_funding_formula(
        formula=version_1, user=council_a.executive, signer_name="A", signer_role="CEO"
    )
    assert GAP in gap_codes(round_), "one of two members has signed"

    sign_funding_formula(
        formula=version_1, user=partner_executive, signer_name="S", signer_role="FD"
    )
    report = partnership_report(round_)
    assert GAP not in [gap["code"] for gap in report["gaps"]]
    assert report["funding_formula"]["agreed"] is True

    version_2 = record(council_a.partnership, text="Reworded.", shares=shares)
    assert GAP in gap_codes(round_), "a new version needs signing again"

    sign_funding_formula(
        formula=version_2, user=council_a.executive, signer_name="A", signer_role="CEO"
    )
    assert GAP in gap_codes(round_), "one of two members has signed version 2"
    sign_funding_formula(
        formula=version_2, user=partner_executive, signer_name="S", signer_role="FD"
    )
    assert GAP not in gap_codes(round_)


def test_the_gap_clears_when_members_sign_through_the_page(
    client, council_a, partner, partner_executive
):
    record(council_a.partnership)
    for executive in [council_a.executive, partner_executive]:
        assert GAP in gap_codes(council_a.round)
        client.force_login(executive)
        assert client.post(sign_url(council_a.partnership), sign_data(1)).status_code == 302
    assert GAP not in gap_codes(council_a.round)


@pytest.mark.parametrize("left_days_ago", [0, 30])
def test_a_member_that_has_left_does_not_block_agreement(council_a, partner, left_days_ago):
    formula = record(council_a.partnership)
    sign_funding_formula(
        formula=formula, user=council_a.executive, signer_name="A", signer_role="CEO"
    )
    assert GAP in gap_codes(council_a.round), "the partner has not signed and is still a member"

    partner.memberships.update(left_on=timezone.localdate() - timedelta(days=left_days_ago))

    report = partnership_report(council_a.round)
    assert GAP not in [gap["code"] for gap in report["gaps"]]
    assert report["funding_formula"]["agreed"] is True
    assert report["funding_formula"]["members"] == 1


def test_the_funding_page_ignores_a_member_that_has_left(client, council_a, partner):
    formula = record(council_a.partnership)
    sign_funding_formula(
        formula=formula, user=council_a.executive, signer_name="A", signer_role="CEO"
    )
    partner.memberships.update(left_on=timezone.localdate())
    client.force_login(council_a.ict_manager)
    response = client.get(funding_url(council_a.partnership))
    assert response.context["agreed"] is True
    assert "Copperfield Council" not in response.text


# ---------------------------------------------------------------- share validation


def shares_post(client, council_a, partner, *, text="Split by population.", a="", b=""):
    return client.post(
        edit_url(council_a.partnership),
        {"text": text, f"share_{council_a.organisation.pk}": a, f"share_{partner.pk}": b},
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"a": "60", "b": "30"}, "The shares add up to 90%. They must add up to 100%"),
        ({"a": "60", "b": "50"}, "The shares add up to 110%. They must add up to 100%"),
        ({"a": "-10", "b": "110"}, "Avonford Council&#x27;s share must be 0 or more"),
        ({"a": "abc", "b": "40"}, "Enter Avonford Council&#x27;s share as a number"),
        ({"a": "NaN", "b": "40"}, "Enter Avonford Council&#x27;s share as a number"),
        ({"a": "150", "b": "0"}, "Avonford Council&#x27;s share must be 100 or less"),
        ({"a": "60.125", "b": "39.875"}, "no more than 2 decimal places"),
        ({"a": "100", "b": ""}, "Enter a share for every member, or leave all the shares blank"),
        ({"text": "", "a": "60", "b": "40"}, "Enter the funding formula"),
        ({"text": "   ", "a": "", "b": ""}, "Enter the funding formula"),
    ],
    ids=[
        "under-100",
        "over-100-total",
        "negative",
        "not-a-number",
        "nan",
        "over-100-share",
        "too-many-decimals",
        "only-some-members",
        "empty-text",
        "blank-text",
    ],
)
def test_invalid_shares_are_refused_with_a_clear_message_and_nothing_is_saved(
    client, council_a, partner, administrator, values, message
):
    client.force_login(administrator)
    response = shares_post(client, council_a, partner, **values)
    assert response.status_code == 200
    assert ERROR_SUMMARY in response.text
    assert "govuk-error-summary" in response.text
    assert message in response.text
    assert response.context["form"].errors
    assert not FundingFormula.objects.exists()
    assert not FundingShare.objects.exists()


def test_invalid_shares_do_not_add_a_version_to_an_existing_formula(
    client, council_a, partner, administrator
):
    record(council_a.partnership)
    client.force_login(administrator)
    response = shares_post(client, council_a, partner, a="60", b="30")
    assert response.status_code == 200
    assert "They must add up to 100%" in response.text
    assert list(FundingFormula.objects.values_list("version", flat=True)) == [1]


def test_shares_left_all_blank_are_allowed(client, council_a, partner, administrator):
    client.force_login(administrator)
    response = shares_post(client, council_a, partner, a="", b="")
    assert response.status_code == 302
    formula = FundingFormula.objects.get()
    assert formula.text == "Split by population."
    assert not formula.shares.exists()


def test_shares_with_decimals_that_add_up_to_100_are_allowed(
    client, council_a, partner, administrator
):
    client.force_login(administrator)
    response = shares_post(client, council_a, partner, a="33.33", b="66.67")
    assert response.status_code == 302
    assert sorted(FundingShare.objects.values_list("percentage", flat=True)) == [
        Decimal("33.33"),
        Decimal("66.67"),
    ]


def test_a_member_may_have_a_zero_share(client, council_a, partner, administrator):
    client.force_login(administrator)
    assert shares_post(client, council_a, partner, a="100", b="0").status_code == 302
    assert FundingShare.objects.get(organisation=partner).percentage == Decimal("0")


# ---------------------------------------------------------------- stale and repeated signing


def test_signing_a_version_that_has_been_replaced_is_refused(client, council_a):
    record(council_a.partnership, text="Version one.")
    client.force_login(council_a.executive)
    client.get(funding_url(council_a.partnership))  # the executive opens the page
    record(council_a.partnership, text="Version two.")  # meanwhile the formula changes

    response = client.post(sign_url(council_a.partnership), sign_data(1))

    assert response.status_code == 409
    assert "has changed since you opened the page" in response.text
    assert ERROR_SUMMARY in response.text
    assert not FundingSignOff.objects.exists()
    # The page now offers version 2 to sign.
    assert 'name="version" value="2"' in response.text


@pytest.mark.parametrize("version", ["", "0", "3", "abc"])
def test_signing_with_a_missing_or_unknown_version_is_refused(client, council_a, version):
    record(council_a.partnership)
    client.force_login(council_a.executive)
    response = client.post(sign_url(council_a.partnership), sign_data(version))
    assert response.status_code == 409
    assert "has changed since you opened the page" in response.text
    assert not FundingSignOff.objects.exists()


def test_signing_when_no_formula_exists_is_refused(client, council_a):
    client.force_login(council_a.executive)
    response = client.post(sign_url(council_a.partnership), sign_data(1))
    assert response.status_code == 409
    assert not FundingSignOff.objects.exists()


def test_an_organisation_cannot_sign_the_same_version_twice(client, council_a):
    record(council_a.partnership)
    client.force_login(council_a.executive)
    assert client.post(sign_url(council_a.partnership), sign_data(1)).status_code == 302

    page = client.get(funding_url(council_a.partnership))
    assert page.context["can_sign"] is False
    assert SIGN_FORM not in page.text

    forced = client.post(sign_url(council_a.partnership), sign_data(1, signer_name="Again"))
    assert forced.status_code == 409
    assert "already signed" in forced.text
    assert FundingSignOff.objects.count() == 1
    assert FundingSignOff.objects.get().signer_name == "Alex Morgan"


def test_a_second_executive_of_a_signed_organisation_cannot_sign_again(client, council_a):
    record(council_a.partnership)
    colleague = UserFactory(organisation=council_a.organisation, role=Role.EXECUTIVE)
    client.force_login(council_a.executive)
    client.post(sign_url(council_a.partnership), sign_data(1))

    client.force_login(colleague)
    assert client.get(funding_url(council_a.partnership)).context["can_sign"] is False
    forced = client.post(sign_url(council_a.partnership), sign_data(1))
    assert forced.status_code == 409
    assert "already signed" in forced.text
    assert FundingSignOff.objects.count() == 1


# ---------------------------------------------------------------- sign form validation


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("signer_name", "Enter your full name"),
        ("signer_role", "Enter your role"),
        ("confirm", "Confirm that you agree the funding formula"),
    ],
)
def test_the_sign_form_says_what_is_missing_and_saves_nothing(client, council_a, missing, message):
    record(council_a.partnership)
    client.force_login(council_a.executive)
    data = sign_data(1)
    del data[missing]

    response = client.post(sign_url(council_a.partnership), data)

    assert response.status_code == 200
    assert ERROR_SUMMARY in response.text
    assert message in response.text
    assert list(response.context["sign_form"].errors) == [missing]
    assert not FundingSignOff.objects.exists()


def test_an_empty_sign_form_lists_every_problem(client, council_a):
    record(council_a.partnership)
    client.force_login(council_a.executive)
    response = client.post(
        sign_url(council_a.partnership), {"version": "1", "signer_name": "  ", "signer_role": ""}
    )
    assert response.status_code == 200
    for message in [
        "Enter your full name",
        "Enter your role",
        "Confirm that you agree the funding formula",
    ]:
        assert message in response.text
    assert not FundingSignOff.objects.exists()


# ---------------------------------------------------------------- service and database


def test_the_service_refuses_an_ict_manager(council_a):
    formula = record(council_a.partnership)
    with pytest.raises(PermissionDenied, match="chief executive and finance director"):
        sign_funding_formula(
            formula=formula, user=council_a.ict_manager, signer_name="I", signer_role="ICT"
        )
    assert not FundingSignOff.objects.exists()


def test_the_service_refuses_an_executive_of_a_non_member(council_a, council_b):
    formula = record(council_a.partnership)
    with pytest.raises(PermissionDenied, match="only an executive of a current member"):
        sign_funding_formula(
            formula=formula, user=council_b.executive, signer_name="B", signer_role="CEO"
        )
    assert not FundingSignOff.objects.exists()


def test_the_service_refuses_a_version_that_is_no_longer_current(council_a):
    old = record(council_a.partnership)
    record(council_a.partnership, text="Newer.")
    with pytest.raises(SignOffRefused, match="has changed since you opened the page"):
        sign_funding_formula(
            formula=old, user=council_a.executive, signer_name="A", signer_role="CEO"
        )
    assert not FundingSignOff.objects.exists()


def test_the_service_refuses_a_second_sign_off_and_keeps_the_first(council_a):
    formula = record(council_a.partnership)
    sign_funding_formula(
        formula=formula, user=council_a.executive, signer_name="First", signer_role="CEO"
    )
    with pytest.raises(SignOffRefused, match="already signed"):
        sign_funding_formula(
            formula=formula, user=council_a.executive, signer_name="Second", signer_role="CEO"
        )
    assert list(FundingSignOff.objects.values_list("signer_name", flat=True)) == ["First"]


@pytest.mark.parametrize("percentage", [Decimal("150"), Decimal("-1")])
def test_the_database_refuses_a_share_outside_0_to_100(council_a, percentage):
    formula = record(council_a.partnership)
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingShare.objects.create(
            formula=formula, organisation=council_a.organisation, percentage=percentage
        )
    assert not FundingShare.objects.exists()


def test_the_database_refuses_two_formulas_with_the_same_version(council_a):
    record(council_a.partnership)
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingFormula.objects.create(partnership=council_a.partnership, version=1, text="Dup")
    assert FundingFormula.objects.count() == 1


# ---------------------------------------------------------------- share inputs and total


def test_share_inputs_are_gov_uk_inputs_with_a_percent_suffix(
    client, council_a, partner, administrator
):
    record(
        council_a.partnership,
        shares={council_a.organisation.pk: Decimal("70"), partner.pk: Decimal("30")},
    )
    client.force_login(administrator)
    page = client.get(edit_url(council_a.partnership)).text
    share = f"share_{partner.pk}"
    assert (
        f'<div class="govuk-input__wrapper"><input type="text" name="{share}" value="30" ' in page
    )
    assert page.count('<div class="govuk-input__suffix" aria-hidden="true">%</div>') == 2
    assert page.count('inputmode="decimal"') == 2
    assert 'class="govuk-input govuk-input--width-5"' in page
    assert 'aria-live="polite" data-app-share-total>Total: 100% — all shared</p>' in page
    assert "js/funding-total.js" in page


def test_after_an_invalid_post_the_total_is_worked_out_from_the_submitted_shares(
    client, council_a, partner, administrator
):
    client.force_login(administrator)
    response = shares_post(client, council_a, partner, a="60", b="15")
    assert response.status_code == 200
    assert "The shares add up to 75%. They must add up to 100%" in response.text
    assert "data-app-share-total>Total: 75% — 25% still to share</p>" in response.text
    # A share the form refuses still shows what was typed, and the total counts what it
    # can: 12.5 here, since "abc" is not a number.
    response = shares_post(client, council_a, partner, text="", a="12.5", b="abc")
    assert "data-app-share-total>Total: 12.5% — 87.5% still to share</p>" in response.text
    assert f'name="share_{partner.pk}" value="abc"' in response.text
    assert "govuk-input--error" in response.text
    response = shares_post(client, council_a, partner, a="70", b="40.25")
    assert "data-app-share-total>Total: 110.25% — 10.25% too much</p>" in response.text
    assert not FundingFormula.objects.exists()
