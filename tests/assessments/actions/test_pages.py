"""The action pages: agreeing an action from a gap, who may see and change what, and
updating an action with its history. Bad input gets a plain message and saves nothing."""

import html
import re

import pytest
from django.urls import reverse

from assessments.actions.models import Action, ActionChange, ActionStatus
from assessments.choices import OwnerRole
from assessments.models import Answer
from assessments.reporting.data import partnership_report
from tests.assessments.actions.conftest import action_form, in_days, update_form

pytestmark = pytest.mark.django_db


def new_url(partners):
    return reverse("assessments:new_action", args=[partners.round.pk])


def plan_url(partners):
    return reverse("assessments:action_plan", args=[partners.partnership.pk])


def offered_gaps(page) -> list[str]:
    """The keys of the gaps the new-action page offers, in order."""
    return [
        html.unescape(value)
        for value in re.findall(
            r'name="gap"\s+class="govuk-radios__input"\s+id="[^"]+"\s+value="([^"]*)"', page.text
        )
    ]


def action_url(action):
    return reverse("assessments:action", args=[action.pk])


# ---------------------------------------------------------------- agreeing an action


@pytest.mark.parametrize("who", ["member_ict", "member_exec"])
def test_a_member_agrees_an_action_for_its_own_gap(client, partners, who):
    user = getattr(partners, who)
    gap = partners.gap("citizen-identity-below-gate", partners.member)
    client.force_login(user)
    page = client.get(new_url(partners))
    assert page.status_code == 200
    assert "Brambleton Council has not got citizen identity management" in page.text
    # Only gaps about Brambleton are offered, and not the whole partnership's scope.
    report = partnership_report(partners.round)
    theirs = [g["key"] for g in report["gaps"] if f"organisation:{partners.member.pk}" in g["refs"]]
    assert offered_gaps(page) == theirs
    assert 'value="partnership"' not in page.text

    response = client.post(new_url(partners), action_form(gap))

    assert response.status_code == 302
    assert response["Location"] == plan_url(partners)
    action = Action.objects.get()
    assert (action.organisation, action.partnership_wide) == (partners.member, False)
    assert (action.gap_key, action.gap_code) == (gap["key"], "citizen-identity-below-gate")
    assert (action.owner_role, action.owner_name, action.due_on) == (
        OwnerRole.ICT_MANAGER,
        "Sam Patel",
        in_days(30),
    )
    assert action.created_by == user
    created = ActionChange.objects.get()
    assert created.changed_by == user
    assert created.changes["status"] == {"old": "", "new": "Not started"}
    assert created.changes["owner_role"] == {"old": "", "new": "ICT manager (CIO)"}
    plan = client.get(plan_url(partners))
    assert plan.text.count("The action is added to the partnership&#x27;s action plan.") == 1
    assert "Join the county&#x27;s resident account" in plan.text


def test_the_lead_partners_executive_agrees_an_action_for_the_whole_partnership(client, partners):
    gap = partners.gap("funding-formula-not-agreed")
    client.force_login(partners.lead_exec)
    page = client.get(new_url(partners))
    assert 'value="partnership"' in page.text
    # The lead may plan for the whole partnership, so every gap is offered.
    assert offered_gaps(page) == [g["key"] for g in partnership_report(partners.round)["gaps"]]
    response = client.post(
        new_url(partners),
        action_form(gap, scope="partnership", owner_role=OwnerRole.EXECUTIVE),
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.partnership_wide
    assert action.organisation == partners.lead
    assert action.owner_role == OwnerRole.EXECUTIVE


def test_the_lead_partners_ict_manager_cannot_choose_the_whole_partnership(client, partners):
    gap = partners.gap("funding-formula-not-agreed")
    client.force_login(partners.lead_ict)
    assert 'value="partnership"' not in client.get(new_url(partners)).text
    response = client.post(
        new_url(partners), action_form(gap, scope="partnership", owner_role=OwnerRole.EXECUTIVE)
    )
    assert response.status_code == 400
    assert not Action.objects.exists()


def test_a_member_that_does_not_lead_cannot_plan_for_the_whole_partnership(client, partners):
    """The option is not offered, and a forged post is refused with a message."""
    gap = partners.gap("funding-formula-not-agreed")
    client.force_login(partners.member_exec)
    page = client.get(new_url(partners))
    assert "The whole partnership" not in page.text
    assert 'value="partnership"' not in page.text

    response = client.post(
        new_url(partners), action_form(gap, scope="partnership", owner_role=OwnerRole.EXECUTIVE)
    )

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "lead partner&#x27;s executives" in response.text
    assert not Action.objects.exists()


def test_another_organisations_gap_cannot_be_forged_into_an_action(client, partners):
    theirs = partners.gap("citizen-identity-below-gate", partners.member)
    client.force_login(partners.other_ict)
    # Cotswold is offered only the one gap that names it: the unsigned funding formula.
    offered = offered_gaps(client.get(new_url(partners)))
    assert offered == [partners.gap("funding-formula-not-agreed")["key"]]
    response = client.post(new_url(partners), action_form(theirs))
    assert response.status_code == 400
    assert "Select one of the gaps listed" in response.text
    assert not Action.objects.exists()


def test_the_lead_executive_cannot_take_another_partners_gap_as_its_own(client, partners):
    """The lead sees every gap (for partnership-wide actions), but an action of its own
    must be on a gap about its own organisation."""
    theirs = partners.gap("citizen-identity-below-gate", partners.member)
    client.force_login(partners.lead_exec)
    response = client.post(new_url(partners), action_form(theirs, scope="own"))
    assert response.status_code == 400
    assert "This gap is not about your organisation" in response.text
    assert not Action.objects.exists()


def test_a_funding_gap_is_owned_by_the_chief_executive_and_finance_director(client, partners):
    gap = partners.gap("funding-formula-below-gate", partners.member)
    client.force_login(partners.member_ict)
    page = client.get(new_url(partners) + f"?gap={gap['key']}")
    owners = page.text.split('name="owner_role"')
    assert len(owners) == 2  # one option only
    assert "Chief executive and finance director" in owners[1]

    forged = client.post(new_url(partners), action_form(gap, owner_role=OwnerRole.ICT_MANAGER))

    assert forged.status_code == 400
    assert "Funding actions belong to chief executives and finance directors" in forged.text
    assert "Select a valid choice" not in forged.text
    assert not Action.objects.exists()

    agreed = client.post(new_url(partners), action_form(gap, owner_role=OwnerRole.EXECUTIVE))
    assert agreed.status_code == 302
    assert Action.objects.get().owner_role == OwnerRole.EXECUTIVE


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2027", "The due date must be a real date, for example 31 3 2027"),
        ("1", "1", "99999", "The due date must be a real date, for example 31 3 2027"),
        ("1", "13", "2027", "The due date must be a real date, for example 31 3 2027"),
        ("99999999999999999999", "1", "2027", "The due date must be a real date"),
        ("first", "1", "2027", "Enter the due date&#x27;s day as a number"),
        ("1", "March", "2027", "Enter the due date&#x27;s month as a number"),
        ("1", "3", "next year", "Enter the due date&#x27;s year as a number"),
        ("", "", "", "Enter the due date"),
        ("1", "", "2027", "The due date must include a month"),
        ("", "3", "", "The due date must include a day"),
    ],
)
def test_an_impossible_due_date_gets_a_plain_message_and_saves_nothing(
    client, partners, day, month, year, message
):
    gap = partners.gap("citizen-identity-below-gate", partners.member)
    client.force_login(partners.member_ict)
    data = action_form(gap) | {"due_on_0": day, "due_on_1": month, "due_on_2": year}
    response = client.post(new_url(partners), data)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert message in response.text
    assert not Action.objects.exists()


def test_a_due_date_in_the_past_is_refused_when_agreeing_an_action(client, partners):
    gap = partners.gap("citizen-identity-below-gate", partners.member)
    client.force_login(partners.member_ict)
    response = client.post(new_url(partners), action_form(gap, due_on=in_days(-1)))
    assert response.status_code == 400
    assert "The due date must be today or in the future" in response.text
    assert not Action.objects.exists()
    # Today is fine.
    assert client.post(new_url(partners), action_form(gap, due_on=in_days(0))).status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"gap": ""}, "Select the gap this action will close"),
        ({"description": "   "}, "Enter what will be done"),
        ({"description": "x" * 2001}, "What will be done must be 2000 characters or fewer"),
        ({"owner_role": ""}, "Select who owns the action"),
        ({"owner_role": "mayor"}, "Select who owns the action from the list"),
        ({"owner_name": "n" * 151}, "The named person must be 150 characters or fewer"),
        ({"scope": "everyone"}, "lead partner&#x27;s executives"),
        ({"scope": ""}, "Select whose action it is"),
    ],
)
def test_each_missing_or_forged_field_gets_a_plain_message(client, partners, fields, message):
    gap = partners.gap("citizen-identity-below-gate", partners.member)
    client.force_login(partners.member_ict)
    response = client.post(new_url(partners), action_form(gap, **fields))
    assert response.status_code == 400
    assert message in response.text
    assert "Select a valid choice" not in response.text
    assert not Action.objects.exists()


def test_an_organisation_without_gaps_is_told_so(client, partners):
    """Avonford scored 4 throughout and signed the formula: no gap is about it, and its
    ICT manager cannot plan for the whole partnership."""
    client.force_login(partners.lead_ict)
    page = client.get(new_url(partners))
    assert page.status_code == 200
    assert "There are no gaps in this report that your organisation can plan an action for" in (
        page.text
    )
    assert "Add the action" not in page.text


# ---------------------------------------------------------------- who sees what

PERSONAS = [
    "anonymous",
    "member_ict",
    "member_exec",
    "other_ict",
    "lead_exec",
    "outsider",
    "administrator",
]


def test_every_action_url_answers_every_persona_correctly(
    client, partners, plan_action, administrator
):
    """Brambleton owns the action. Cotswold and the lead see it but cannot change it;
    Downs Police is in another partnership: 404, as if nothing were there. Staff see
    everything and change nothing: updates belong to the partners."""
    action = plan_action()
    people = {name: getattr(partners, name, None) for name in PERSONAS}
    people["administrator"] = administrator
    own_gap = {
        "member_ict": partners.gap("citizen-identity-below-gate", partners.member),
        "member_exec": partners.gap("citizen-identity-below-gate", partners.member),
        "other_ict": partners.gap("funding-formula-not-agreed"),
        "lead_exec": partners.gap("funding-formula-not-agreed"),
    }
    plan_csv = reverse("assessments:action_plan_csv", args=[partners.partnership.pk])
    round_csv = reverse("assessments:round_actions_csv", args=[partners.round.pk])
    # GET pages: anonymous, member ICT, member exec, other member, lead, outsider, staff
    expected_gets = {
        plan_url(partners): [302, 200, 200, 200, 200, 404, 200],
        plan_csv: [302, 200, 200, 200, 200, 404, 200],
        round_csv: [302, 200, 200, 200, 200, 404, 200],
        new_url(partners): [302, 200, 200, 200, 200, 404, 403],
        action_url(action): [302, 200, 200, 200, 200, 404, 200],
    }
    for url, statuses in expected_gets.items():
        for persona, status in zip(PERSONAS, statuses, strict=True):
            client.logout()
            if people[persona]:
                client.force_login(people[persona])
            response = client.get(url)
            assert response.status_code == status, f"{persona} GET {url}"
            if status == 302:
                assert response["Location"].startswith(reverse("login"))
            if people[persona] is not None and status != 302:
                assert "no-store" in response["Cache-Control"], f"{persona} GET {url}"
            if url == action_url(action) and status == 200:
                # Only the owning organisation gets the update form.
                has_form = "Save the changes" in response.text
                assert has_form == (persona in ("member_ict", "member_exec")), persona

    # Agreeing an action, each persona for a gap it may plan for.
    new_statuses = [302, 302, 302, 302, 302, 404, 403]
    for persona, status in zip(PERSONAS, new_statuses, strict=True):
        client.logout()
        if people[persona]:
            client.force_login(people[persona])
        before = Action.objects.count()
        gap = own_gap.get(persona, own_gap["lead_exec"])
        owner = OwnerRole.EXECUTIVE if gap["code"].startswith("funding") else OwnerRole.ICT_MANAGER
        scope = "partnership" if persona == "lead_exec" else "own"
        response = client.post(new_url(partners), action_form(gap, owner_role=owner, scope=scope))
        assert response.status_code == status, f"{persona} POST new"
        saved = persona in ("member_ict", "member_exec", "other_ict", "lead_exec")
        assert Action.objects.count() == before + saved, persona
        if status == 302 and not saved:
            assert response["Location"].startswith(reverse("login"))

    # Updating the action: only its organisation's executives and ICT managers.
    update_statuses = [302, 302, 302, 403, 403, 404, 403]
    for persona, status in zip(PERSONAS, update_statuses, strict=True):
        client.logout()
        if people[persona]:
            client.force_login(people[persona])
        action.refresh_from_db()
        before = action.version
        response = client.post(
            action_url(action), update_form(action, owner_name=f"Changed by {persona}")
        )
        assert response.status_code == status, f"{persona} POST action"
        action.refresh_from_db()
        updated = persona in ("member_ict", "member_exec")
        assert action.version == before + updated, persona
        assert (action.owner_name == f"Changed by {persona}") == updated, persona
        if updated:
            assert response["Location"] == action_url(action)
        elif status == 302:
            assert response["Location"].startswith(reverse("login"))


def test_a_partnership_wide_action_is_changed_only_by_the_lead_partners_executives(
    client, partners, plan_action
):
    action = plan_action(
        user=partners.lead_exec,
        gap=partners.gap("funding-formula-not-agreed"),
        partnership_wide=True,
        owner_role=OwnerRole.EXECUTIVE,
    )
    for user, status in (
        (partners.lead_ict, 403),
        (partners.member_exec, 403),
        (partners.outsider, 404),
        (partners.lead_exec, 302),
    ):
        client.force_login(user)
        page = client.get(action_url(action))
        assert ("Save the changes" in page.text) == (status == 302)
        response = client.post(action_url(action), update_form(action, status="in_progress"))
        assert response.status_code == status
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert action.version == 2


def test_a_member_that_has_left_no_longer_sees_or_changes_its_actions(
    client, partners, plan_action
):
    action = plan_action()
    partners.member.memberships.filter(partnership=partners.partnership).update(left_on=in_days(0))
    client.force_login(partners.member_ict)
    assert client.get(action_url(action)).status_code == 404
    assert client.post(action_url(action), update_form(action)).status_code == 404
    assert client.get(plan_url(partners)).status_code == 404


def test_nothing_of_an_assessments_evidence_or_comments_reaches_an_action_page(
    client, partners, plan_action
):
    Answer.objects.filter(assessment__organisation=partners.member).update(
        evidence="Brambleton-private-evidence", comment="Brambleton-private-comment"
    )
    action = plan_action()
    client.force_login(partners.other_ict)
    for url in (
        plan_url(partners),
        action_url(action),
        reverse("assessments:action_plan_csv", args=[partners.partnership.pk]),
        new_url(partners),
    ):
        body = client.get(url).content.decode("utf-8-sig")
        assert "Brambleton-private" not in body, url


# ---------------------------------------------------------------- updating an action


def test_a_status_change_is_recorded_with_old_and_new_labels_and_who(client, partners, plan_action):
    action = plan_action()
    client.force_login(partners.member_exec)
    response = client.post(action_url(action), update_form(action, status="in_progress"))
    assert response.status_code == 302
    change = ActionChange.objects.filter(action=action).first()  # newest first
    assert change.changed_by == partners.member_exec
    assert change.version == 2
    assert change.changes == {"status": {"old": "Not started", "new": "In progress"}}
    page = client.get(action_url(action))
    assert page.text.count("The action is updated.") == 1
    assert "Status: “Not started” to “In progress”" in page.text
    assert page.text.index("In progress”") < page.text.index("agreed the action")


def test_dropping_an_action_needs_a_reason(client, partners, plan_action):
    action = plan_action()
    client.force_login(partners.member_ict)
    response = client.post(
        action_url(action), update_form(action, status="dropped", dropped_reason="  ")
    )
    assert response.status_code == 400
    assert "Enter why the action is being dropped" in response.text
    action.refresh_from_db()
    assert (action.status, action.version) == (ActionStatus.NOT_STARTED, 1)
    assert ActionChange.objects.filter(action=action).count() == 1

    response = client.post(
        action_url(action),
        update_form(action, status="dropped", dropped_reason="The county is doing it instead"),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DROPPED
    assert action.dropped_reason == "The county is doing it instead"
    assert "Dropped: The county is doing it instead" in client.get(action_url(action)).text


def test_marking_an_action_done_dates_it_and_counts_it_as_done(client, partners, plan_action):
    action = plan_action()
    client.force_login(partners.member_ict)
    client.post(action_url(action), update_form(action, status="done"))
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.done_at is not None
    plan = client.get(plan_url(partners)).text
    assert "0 actions open, 0 overdue, 1 done so far." in plan
    # Reopening it clears the date.
    client.post(action_url(action), update_form(action, status="in_progress"))
    action.refresh_from_db()
    assert action.done_at is None


def test_a_stale_version_saves_nothing_and_says_someone_else_changed_it(
    client, partners, plan_action
):
    action = plan_action()
    opened = update_form(action, owner_name="Ann's change")
    client.force_login(partners.member_exec)
    changed = client.post(action_url(action), update_form(action, status="in_progress"))
    assert changed.status_code == 302
    client.force_login(partners.member_ict)

    response = client.post(action_url(action), opened)

    assert response.status_code == 409
    assert "Someone else changed this action" in response.text
    assert "your changes were not saved" in response.text
    assert "<title>Error: " in response.text
    action.refresh_from_db()
    assert (action.version, action.owner_name, action.status) == (
        2,
        "Sam Patel",
        ActionStatus.IN_PROGRESS,
    )
    assert ActionChange.objects.filter(action=action).count() == 2
    # The form now carries the action as it is, so saving again works.
    assert 'name="version" value="2"' in response.text
    assert client.post(action_url(action), update_form(action, owner_name="Ann")).status_code == (
        302
    )


def test_saving_without_changes_records_nothing(client, partners, plan_action):
    action = plan_action()
    client.force_login(partners.member_ict)
    response = client.post(
        action_url(action),
        update_form(action, description="  Join the county's resident account  "),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.version == 1
    assert ActionChange.objects.filter(action=action).count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"version": "abc"}, "This page is out of date: open the action again"),
        ({"version": ""}, "This page is out of date: open the action again"),
        ({"version": "0"}, "This page is out of date: open the action again"),
        ({"status": "finished"}, "Select the action&#x27;s status from the list"),
        ({"status": ""}, "Select the action&#x27;s status"),
        ({"due_on_0": "30", "due_on_1": "2"}, "The due date must be a real date"),
        ({"owner_role": "mayor"}, "Select who owns the action from the list"),
    ],
)
def test_a_bad_update_gets_a_message_and_changes_nothing(
    client, partners, plan_action, fields, message
):
    action = plan_action()
    client.force_login(partners.member_ict)
    response = client.post(action_url(action), update_form(action, **fields))
    assert response.status_code == 400
    assert message in response.text
    action.refresh_from_db()
    assert action.version == 1


def test_a_funding_action_cannot_be_handed_to_the_ict_manager(client, partners, plan_action):
    action = plan_action(
        user=partners.member_exec,
        gap=partners.gap("funding-formula-below-gate", partners.member),
        owner_role=OwnerRole.EXECUTIVE,
    )
    client.force_login(partners.member_exec)
    response = client.post(action_url(action), update_form(action, owner_role="ict_manager"))
    assert response.status_code == 400
    assert "Funding actions belong to chief executives and finance directors" in response.text
    action.refresh_from_db()
    assert action.owner_role == OwnerRole.EXECUTIVE


def test_an_overdue_action_is_marked_on_its_page(client, partners, plan_action):
    action = plan_action()
    Action.objects.filter(pk=action.pk).update(due_on=in_days(-1))
    client.force_login(partners.other_ict)
    assert "Overdue" in client.get(action_url(action)).text


def test_a_partnership_without_rounds_has_an_empty_action_plan(client, partners):
    downs = partners.outsider.organisation.memberships.get().partnership
    client.force_login(partners.outsider)
    page = client.get(reverse("assessments:action_plan", args=[downs.pk]))
    assert page.status_code == 200
    assert "No actions have been agreed yet." in page.text
    assert "Plan an action for a gap" not in page.text
    csv_url = reverse("assessments:action_plan_csv", args=[downs.pk])
    assert client.get(csv_url).content.decode("utf-8-sig").count("\r\n") == 1  # the header


def test_an_unknown_or_impossible_id_is_a_404(client, partners):
    client.force_login(partners.member_ict)
    huge = 10**25  # beyond any database integer
    for url in (
        reverse("assessments:action", args=[999999]),
        reverse("assessments:action", args=[huge]),
        reverse("assessments:action_plan", args=[huge]),
        reverse("assessments:action_plan_csv", args=[huge]),
        reverse("assessments:new_action", args=[huge]),
        reverse("assessments:round_actions_csv", args=[huge]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
