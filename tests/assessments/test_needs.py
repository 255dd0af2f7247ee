"""Deadlines and "What needs you": each dashboard opens with what the person in front
of it has to do, each a link to the page that does it, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.actions.models import Action
from assessments.deadlines import deadline_phrase
from assessments.models import AssessmentReopening, Round, RoundStatus
from assessments.rounds import open_round
from partnerships.models import MembershipRole, Role
from tests.builders import add_partner, assess, sign_funding
from tests.factories import (
    MembershipFactory,
    PartnershipFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def needs(client, user) -> list[str]:
    client.force_login(user)
    response = client.get(reverse("assessments:dashboard"))
    assert response.status_code == 200
    return [need.text for need in response.context["needs"]]


def closing_in(round_, days):
    today = timezone.localdate()
    Round.objects.filter(pk=round_.pk).update(
        opens_on=today - timedelta(days=30), closes_on=today + timedelta(days=days)
    )
    round_.refresh_from_db()


def test_the_deadline_reads_as_people_say_it():
    today = timezone.localdate()
    assert deadline_phrase(today + timedelta(days=5), today) == "5 days left"
    assert deadline_phrase(today + timedelta(days=1), today) == "1 day left"
    assert deadline_phrase(today, today) == "closes today"
    assert deadline_phrase(today - timedelta(days=1), today) == "closing date passed 1 day ago"
    assert deadline_phrase(today - timedelta(days=3), today) == "closing date passed 3 days ago"
    assert deadline_phrase(None, today) == "no closing date set"


def test_an_ict_manager_is_asked_to_start_then_submit_with_the_days_left(client, council_a):
    closing_in(council_a.round, 5)
    assert needs(client, council_a.ict_manager) == ["Start your assessment: 5 days left"]
    assess(council_a.round, council_a.organisation, status="draft")
    client.force_login(council_a.ict_manager)
    response = client.get(reverse("assessments:dashboard"))
    assert [n.text for n in response.context["needs"]] == ["Submit your assessment: 5 days left"]
    assert "Urgent" in response.text
    assert "Closes " in response.text and "(5 days left)" in response.text


def test_a_reopened_assessment_says_why(client, council_a, administrator):
    closing_in(council_a.round, 20)
    draft = assess(council_a.round, council_a.organisation, status="draft")
    AssessmentReopening.objects.create(
        assessment=draft,
        reopened_by=administrator,
        reason="Figures <corrected> by finance",
        previously_submitted_at=timezone.now(),
    )
    client.force_login(council_a.ict_manager)
    response = client.get(reverse("assessments:dashboard"))
    [need] = response.context["needs"]
    assert need.text.startswith("Your assessment was reopened")
    assert "Reason given: Figures &lt;corrected&gt; by finance" in response.text


def test_nothing_to_do_says_so(client, council_a):
    assess(council_a.round, council_a.organisation)
    assert needs(client, council_a.ict_manager) == []
    client.force_login(council_a.ict_manager)
    assert "Nothing needs you at the moment" in client.get("/").text


def action(council, *, due_in, owner_role, status="not_started"):
    return Action.objects.create(
        partnership=council.partnership,
        organisation=council.organisation,
        round=council.round,
        gap_key="k",
        gap_code="member-not-submitted",
        gap_severity="high",
        gap_message="A gap",
        description=f"Do the thing due in {due_in}",
        owner_role=owner_role,
        due_on=timezone.localdate() + timedelta(days=due_in),
        status=status,
        done_at=timezone.now() if status == "done" else None,
    )


def test_people_see_their_own_actions_due_soon_or_overdue(client, council_a):
    assess(council_a.round, council_a.organisation)
    action(council_a, due_in=3, owner_role="ict_manager")
    action(council_a, due_in=-2, owner_role="ict_manager")
    action(council_a, due_in=60, owner_role="ict_manager")  # not yet
    action(council_a, due_in=3, owner_role="ict_manager", status="done")  # finished
    action(council_a, due_in=3, owner_role="executive")  # the executive's
    texts = needs(client, council_a.ict_manager)
    assert sorted(texts) == sorted(
        [
            f"Action due {timezone.localdate() + timedelta(days=3):%-d %B %Y}: "
            "Do the thing due in 3",
            "Action overdue: Do the thing due in -2",
        ]
    )
    executive = needs(client, council_a.executive)
    assert [t for t in executive if t.startswith("Action")] == [
        f"Action due {timezone.localdate() + timedelta(days=3):%-d %B %Y}: Do the thing due in 3"
    ]


def test_an_executive_is_asked_to_sign_the_current_formula_first(client, council_a):
    partner = add_partner(council_a.partnership, "Bexley Vale Council")
    partner_exec = UserFactory(organisation=partner, role=Role.EXECUTIVE)
    assess(council_a.round, partner)
    sign_funding(council_a.partnership, [council_a.organisation])
    assert needs(client, partner_exec)[0] == "Sign version 1 of the funding formula"
    # Signed: it goes.
    sign_funding(council_a.partnership, [council_a.organisation, partner], version=2)
    assert "Sign version 2 of the funding formula" not in needs(client, partner_exec)


def test_an_executive_is_told_a_closed_rounds_report_is_ready(client, council_a):
    today = timezone.localdate()
    Round.objects.filter(pk=council_a.round.pk).update(
        status=RoundStatus.CLOSED, opens_on=today - timedelta(days=50), closes_on=today
    )
    assert "Read the 2026 review report" in needs(client, council_a.executive)
    Round.objects.filter(pk=council_a.round.pk).update(closes_on=today - timedelta(days=31))
    assert "Read the 2026 review report" not in needs(client, council_a.executive)


def test_the_lead_partners_executive_sees_who_is_missing(client, council_a):
    closing_in(council_a.round, 10)
    partners = [add_partner(council_a.partnership, f"Partner {n}") for n in range(3)]
    assess(council_a.round, council_a.organisation)
    assess(council_a.round, partners[0])
    sign_funding(council_a.partnership, [council_a.organisation, partners[0]])
    action(council_a, due_in=-1, owner_role="legal")
    texts = needs(client, council_a.executive)
    assert "2 of 4 members have not submitted: 10 days left" in texts
    assert "2 of 4 members' executives have not signed version 1 of the funding formula" in texts
    assert "1 overdue action across the partnership" in texts
    # A member's executive is not the lead: none of these.
    member_exec = UserFactory(organisation=partners[0], role=Role.EXECUTIVE)
    assert not any("members" in text for text in needs(client, member_exec))


def test_an_administrator_sees_rounds_members_and_invitations_to_fix(
    client, council_a, administrator
):
    today = timezone.localdate()
    Round.objects.filter(pk=council_a.round.pk).update(
        opens_on=today - timedelta(days=40), closes_on=today - timedelta(days=2)
    )
    RoundFactory(partnership=council_a.partnership, framework=council_a.round.framework)
    add_partner(council_a.partnership, "Empty Parish Council")
    invited = UserFactory(organisation=council_a.organisation, first_name="Ina", last_name="Vite")
    invited.set_unusable_password()
    invited.date_joined = timezone.now() - timedelta(days=15)
    invited.save()
    texts = needs(client, administrator)
    passed = today - timedelta(days=2)
    assert f"Close or extend 2026 review: its closing date passed on {passed:%-d %B %Y}" in texts
    assert any(text.startswith("Set a closing date for Round") for text in texts)
    assert "Invite someone from Empty Parish Council: it has no users" in texts
    assert "Ina Vite has not accepted their invitation" in texts


@pytest.mark.parametrize("size", [1, 6])
def test_the_panels_query_count_does_not_grow_with_partnerships_and_rounds(
    client, council_a, framework, django_assert_num_queries, size
):
    """A lead partner's executive sees every kind of item; an administrator too."""
    for n in range(size):
        partnership = PartnershipFactory(name=f"Extra partnership {n}")
        MembershipFactory(
            partnership=partnership, organisation=council_a.organisation, role=MembershipRole.LEAD
        )
        add_partner(partnership, f"Extra partner {n}")
        for r in range(3):
            round_ = RoundFactory(partnership=partnership, framework=framework)
            closing_in(round_, r - 1)
        sign_funding(partnership, [])
    closing_in(council_a.round, 4)
    sign_funding(council_a.partnership, [])
    action(council_a, due_in=-1, owner_role="executive")
    client.force_login(council_a.executive)
    # The dashboard's 6; the formulas (signed by the user's organisation?), own actions
    # due; for the lead: members, submissions, formulas, sign-offs, overdue actions; and
    # people of the organisation waiting for a role; the partnerships they coordinate
    with django_assert_num_queries(15):
        response = client.get(reverse("assessments:dashboard"))
    assert len(response.context["needs"]) >= 3 * (size + 1)


def test_new_rounds_need_a_closing_date(council_a, administrator, client):
    with pytest.raises(ValidationError, match="Enter the date the round closes"):
        open_round(
            round_=Round(
                partnership=council_a.partnership, framework=council_a.round.framework, name="X"
            ),
            user=administrator,
        )
    client.force_login(administrator)
    response = client.post(
        reverse("admin:assessments_round_add"),
        {
            "partnership": council_a.partnership.pk,
            "name": "2027 review",
            "framework": council_a.round.framework.pk,
            "opens_on": timezone.localdate().isoformat(),
            "closes_on": "",
        },
    )
    assert response.status_code == 200
    assert "This field is required" in response.text
    assert not Round.objects.filter(name="2027 review").exists()


def test_the_task_list_and_check_page_show_the_deadline_and_when_it_has_passed(client, council_a):
    closing_in(council_a.round, 5)
    draft = assess(council_a.round, council_a.organisation, status="draft")
    client.force_login(council_a.ict_manager)
    for name in ("assessments:tasks", "assessments:check"):
        html = client.get(reverse(name, args=[draft.pk])).text
        assert "(5 days left)" in html, name
    Round.objects.filter(pk=council_a.round.pk).update(
        closes_on=timezone.localdate() - timedelta(days=1)
    )
    html = client.get(reverse("assessments:tasks", args=[draft.pk])).text
    assert "it is overdue. You can still submit until an administrator closes it" in html
