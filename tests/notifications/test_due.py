"""Which notices are due: each rule of `notifications.due` (who gets what, and when),
worked out from the data as `send_notifications` does on every run.

Avonford (council A) leads a partnership with Cotswold as a member; each has an ICT
manager and an executive. Brambleton (council B) belongs to another partnership: its
people must never hear about Avonford's partnership.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.actions.models import Action, ActionStatus
from assessments.capture.services import reopen_assessment
from assessments.choices import OwnerRole
from assessments.models import Assessment, AssessmentReopening, AssessmentStatus, Round, RoundStatus
from notifications.due import due_notices, reminder_mark
from notifications.models import Kind, Preference
from notifications.sending import run
from partnerships.models import Membership, MembershipRole, Role, User
from tests.builders import add_partner, assess
from tests.factories import FundingFormulaFactory, FundingSignOffFactory, UserFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def in_days(days: int):
    return today() + timedelta(days=days)


@dataclass
class Scene:
    partnership: object
    round: object
    lead: object
    member: object
    outsider: object  # council B, of another partnership

    def people(self, organisation, role) -> set[str]:
        return set(
            User.objects.filter(organisation=organisation, role=role).values_list(
                "username", flat=True
            )
        )


@pytest.fixture
def scene(council_a, council_b) -> Scene:
    """The partnership's round opened 30 days ago (no "opened" notice due) and has no
    closing date (no reminder due); each test sets what it is about."""
    council_a.partnership.memberships.update(joined_on=in_days(-400))
    cotswold = add_partner(council_a.partnership, "Cotswold Council")
    UserFactory(username="cotswold-ict", organisation=cotswold, role=Role.ICT_MANAGER)
    UserFactory(username="cotswold-exec", organisation=cotswold, role=Role.EXECUTIVE)
    Round.objects.filter(pk=council_a.round.pk).update(opens_on=in_days(-30))
    Round.objects.filter(pk=council_b.round.pk).update(opens_on=in_days(-30))
    council_a.round.refresh_from_db()
    return Scene(
        partnership=council_a.partnership,
        round=council_a.round,
        lead=council_a.organisation,
        member=cotswold,
        outsider=council_b.organisation,
    )


def due(kind, on=None) -> set[tuple[str, str]]:
    """The due notices of `kind`, as (recipient's username, what it is about)."""
    names = dict(User.objects.values_list("pk", "username"))
    return {(names[n.recipient_id], n.about) for n in due_notices(on or today()) if n.kind == kind}


def notice(kind, username, on=None):
    """The one due notice of `kind` to `username`."""
    user = User.objects.get(username=username)
    [found] = [
        n for n in due_notices(on or today()) if n.kind == kind and n.recipient_id == user.pk
    ]
    return found


def set_round(round_, *, opened_days_ago=30, closes_in=None, status=RoundStatus.OPEN):
    Round.objects.filter(pk=round_.pk).update(
        opens_on=in_days(-opened_days_ago),
        closes_on=None if closes_in is None else in_days(closes_in),
        status=status,
    )
    round_.refresh_from_db()


def make_action(scene, organisation, *, due_in, owner_role=OwnerRole.ICT_MANAGER, **fields):
    status = fields.pop("status", ActionStatus.NOT_STARTED)
    return Action.objects.create(
        partnership=scene.partnership,
        organisation=organisation,
        round=scene.round,
        gap_key="gap",
        gap_code="citizen-identity-below-gate",
        gap_severity="critical",
        gap_message="No citizen identity management",
        description="Choose an identity provider",
        owner_role=owner_role,
        due_on=in_days(due_in),
        status=status,
        done_at=timezone.now() if status == ActionStatus.DONE else None,
        dropped_reason="Not needed" if status == ActionStatus.DROPPED else "",
        **fields,
    )


# Round opened --------------------------------------------------------------------


def test_an_opened_round_goes_to_every_members_ict_managers_only(scene):
    set_round(scene.round, opened_days_ago=0)
    UserFactory(username="cotswold-ict-2", organisation=scene.member, role=Role.ICT_MANAGER)
    about = f"round:{scene.round.pk}"
    assert due(Kind.ROUND_OPENED) == {
        ("avonford-ict", about),
        ("cotswold-ict", about),
        ("cotswold-ict-2", about),
    }


@pytest.mark.parametrize(("opened_days_ago", "is_due"), [(0, True), (14, True), (15, False)])
def test_a_round_opened_notice_is_due_for_14_days(scene, opened_days_ago, is_due):
    set_round(scene.round, opened_days_ago=opened_days_ago)
    assert bool(due(Kind.ROUND_OPENED)) is is_due


def test_a_closed_round_sends_nothing(scene, council_b):
    set_round(scene.round, opened_days_ago=0, closes_in=3, status=RoundStatus.CLOSED)
    set_round(council_b.round, opened_days_ago=0, closes_in=3, status=RoundStatus.CLOSED)
    assert due(Kind.ROUND_OPENED) == set()
    assert due(Kind.ROUND_REMINDER) == set()


def test_a_member_that_left_hears_nothing_more(scene):
    set_round(scene.round, opened_days_ago=0, closes_in=3)
    Membership.objects.filter(organisation=scene.member).update(left_on=today())
    for kind in (Kind.ROUND_OPENED, Kind.ROUND_REMINDER):
        assert {who for who, _ in due(kind)} == {"avonford-ict"}


# Reminders before a round closes -------------------------------------------------


@pytest.mark.parametrize(
    ("left", "mark"),
    [(None, None), (30, None), (15, None), (14, 14), (10, 14), (8, 14), (7, 7), (2, 7)]
    + [(1, 1), (0, 1), (-1, None)],
)
def test_the_reminder_due_is_the_nearest_mark_not_yet_passed(left, mark):
    assert reminder_mark(left) == mark


def test_reminders_go_to_ict_managers_of_members_that_have_not_submitted(scene, council_b):
    set_round(scene.round, closes_in=7)
    set_round(council_b.round, closes_in=7)
    assess(scene.round, scene.lead)  # submitted
    assess(scene.round, scene.member, status=AssessmentStatus.DRAFT)
    other = add_partner(scene.partnership, "Downs Fire and Rescue")
    UserFactory(username="fire-ict", organisation=other, role=Role.ICT_MANAGER)
    UserFactory(username="fire-exec", organisation=other, role=Role.EXECUTIVE)

    about = f"round:{scene.round.pk}:7"
    assert {n for n in due(Kind.ROUND_REMINDER) if n[1] == about} == {
        ("cotswold-ict", about),  # a draft
        ("fire-ict", about),  # not started
    }
    # Council B's ICT manager is reminded of council B's round only.
    assert due(Kind.ROUND_REMINDER) - {("cotswold-ict", about), ("fire-ict", about)} == {
        ("brambleton-ict", f"round:{council_b.round.pk}:7")
    }


def test_the_reminder_says_when_the_round_closes(scene):
    set_round(scene.round, closes_in=7)
    reminder = notice(Kind.ROUND_REMINDER, "cotswold-ict")
    assert reminder.context["closes_on"] == f"{in_days(7):%-d %B %Y}"
    assert reminder.context["deadline"] == "7 days left"
    assert reminder.context["url"] == settings.SITE_URL + reverse("assessments:dashboard")
    assert "7 days left" in reminder.subject


def send_daily(first_day: int, last_day: int) -> list[str]:
    """Run the command's work once a day, from `first_day` to `last_day` days before
    the round closes; returns the reminder subjects sent, in order."""
    for left in range(first_day, last_day - 1, -1):
        run(due_notices(today() - timedelta(days=left)))
    return [m.subject for m in mail.outbox if m.to == ["cotswold-ict@example.invalid"]]


def test_reminders_are_sent_14_7_and_1_days_before_the_round_closes_once_each(scene):
    set_round(scene.round, closes_in=0, opened_days_ago=60)
    sent = send_daily(20, -3)
    assert len(sent) == 3
    assert sent[0].endswith(": 14 days left")
    assert sent[1].endswith(": 7 days left")
    assert sent[2].endswith(": 1 day left")


def test_a_command_that_first_runs_late_sends_only_the_latest_reminder(scene):
    set_round(scene.round, closes_in=0, opened_days_ago=60)
    sent = send_daily(3, -3)  # first run 3 days before closing: the 7-day mark
    assert len(sent) == 2
    assert sent[0].endswith(": 3 days left")
    assert sent[1].endswith(": 1 day left")


def test_no_reminder_on_a_round_without_a_closing_date_or_already_closed(scene):
    set_round(scene.round, closes_in=None)
    assert due(Kind.ROUND_REMINDER) == set()
    set_round(scene.round, closes_in=-1)
    assert due(Kind.ROUND_REMINDER) == set()


# Reopened assessments ------------------------------------------------------------


def reopened(scene, administrator, reason="The governance answers were for last year"):
    assessment = assess(scene.round, scene.member)
    return reopen_assessment(assessment=assessment, user=administrator, reason=reason)


def test_a_reopened_assessment_goes_to_its_organisations_ict_managers_with_the_reason(
    scene, administrator
):
    reopening = reopened(scene, administrator)
    assert due(Kind.ASSESSMENT_REOPENED) == {("cotswold-ict", f"reopening:{reopening.pk}")}
    sent = notice(Kind.ASSESSMENT_REOPENED, "cotswold-ict")
    assert sent.context["reason"] == "The governance answers were for last year"
    assert sent.context["url"] == settings.SITE_URL + reverse(
        "assessments:tasks", args=[reopening.assessment_id]
    )


@pytest.mark.parametrize(("days_ago", "is_due"), [(0, True), (30, True), (31, False)])
def test_a_reopening_is_notified_within_30_days(scene, administrator, days_ago, is_due):
    reopening = reopened(scene, administrator)
    AssessmentReopening.objects.filter(pk=reopening.pk).update(
        reopened_at=timezone.now() - timedelta(days=days_ago)
    )
    assert bool(due(Kind.ASSESSMENT_REOPENED)) is is_due


def test_a_reopened_assessment_submitted_again_is_not_notified(scene, administrator):
    reopening = reopened(scene, administrator)
    Assessment.objects.filter(pk=reopening.assessment_id).update(
        status=AssessmentStatus.SUBMITTED, submitted_at=timezone.now()
    )
    assert due(Kind.ASSESSMENT_REOPENED) == set()


def test_each_reopening_is_its_own_notice(scene, administrator):
    first = reopened(scene, administrator, reason="First reason")
    assessment = first.assessment
    Assessment.objects.filter(pk=assessment.pk).update(
        status=AssessmentStatus.SUBMITTED, submitted_at=timezone.now()
    )
    second = reopen_assessment(assessment=assessment, user=administrator, reason="Second reason")
    assert due(Kind.ASSESSMENT_REOPENED) == {
        ("cotswold-ict", f"reopening:{first.pk}"),
        ("cotswold-ict", f"reopening:{second.pk}"),
    }


# Funding formula to sign ---------------------------------------------------------


def test_the_formula_goes_to_executives_of_members_that_have_not_signed(scene):
    formula = FundingFormulaFactory(partnership=scene.partnership, version=1)
    FundingSignOffFactory(
        formula=formula,
        organisation=scene.lead,
        signed_by=User.objects.get(username="avonford-exec"),
    )
    UserFactory(username="cotswold-finance", organisation=scene.member, role=Role.EXECUTIVE)
    about = f"formula:{formula.pk}"
    assert due(Kind.FORMULA_TO_SIGN) == {("cotswold-exec", about), ("cotswold-finance", about)}


def test_a_new_formula_version_needs_every_members_signature_again(scene):
    first = FundingFormulaFactory(partnership=scene.partnership, version=1)
    for organisation in (scene.lead, scene.member):
        FundingSignOffFactory(formula=first, organisation=organisation)
    assert due(Kind.FORMULA_TO_SIGN) == set()

    second = FundingFormulaFactory(partnership=scene.partnership, version=2)
    FundingSignOffFactory(formula=second, organisation=scene.member)
    assert due(Kind.FORMULA_TO_SIGN) == {("avonford-exec", f"formula:{second.pk}")}


def test_only_the_current_version_is_to_sign(scene):
    FundingFormulaFactory(partnership=scene.partnership, version=1)  # signed by no one
    second = FundingFormulaFactory(partnership=scene.partnership, version=2)
    about = f"formula:{second.pk}"
    assert due(Kind.FORMULA_TO_SIGN) == {("avonford-exec", about), ("cotswold-exec", about)}
    assert notice(Kind.FORMULA_TO_SIGN, "cotswold-exec").subject == (
        "Sign version 2 of the funding formula"
    )


def test_a_member_that_left_is_not_asked_to_sign(scene):
    FundingFormulaFactory(partnership=scene.partnership, version=1)
    Membership.objects.filter(organisation=scene.member).update(left_on=in_days(-1))
    assert {who for who, _ in due(Kind.FORMULA_TO_SIGN)} == {"avonford-exec"}


# Everyone has submitted ----------------------------------------------------------


def test_all_submitted_waits_for_every_current_member(scene):
    assess(scene.round, scene.lead)
    assess(scene.round, scene.member, status=AssessmentStatus.DRAFT)
    assert due(Kind.ALL_SUBMITTED) == set()

    scene.round.assessments.filter(organisation=scene.member).update(
        status=AssessmentStatus.SUBMITTED, submitted_at=timezone.now()
    )
    assert due(Kind.ALL_SUBMITTED) == {("avonford-exec", f"round:{scene.round.pk}")}
    assert notice(Kind.ALL_SUBMITTED, "avonford-exec").context["url"] == settings.SITE_URL + (
        reverse("assessments:partnership_report", args=[scene.round.pk])
    )


def test_all_submitted_goes_to_the_lead_partners_executives_whoever_leads(scene):
    assess(scene.round, scene.lead)
    assess(scene.round, scene.member)
    Membership.objects.filter(organisation=scene.lead).update(role=MembershipRole.MEMBER)
    Membership.objects.filter(organisation=scene.member).update(role=MembershipRole.LEAD)
    assert due(Kind.ALL_SUBMITTED) == {("cotswold-exec", f"round:{scene.round.pk}")}


def test_a_member_that_left_does_not_hold_up_all_submitted(scene):
    assess(scene.round, scene.lead)
    Membership.objects.filter(organisation=scene.member).update(left_on=in_days(-1))
    assert due(Kind.ALL_SUBMITTED) == {("avonford-exec", f"round:{scene.round.pk}")}


def test_all_submitted_only_in_an_open_round(scene):
    assess(scene.round, scene.lead)
    assess(scene.round, scene.member)
    set_round(scene.round, closes_in=-1, status=RoundStatus.CLOSED)
    assert due(Kind.ALL_SUBMITTED) == set()


# Actions due or overdue ----------------------------------------------------------


@pytest.mark.parametrize(
    ("due_in", "kind"),
    [(8, None), (7, Kind.ACTION_DUE), (0, Kind.ACTION_DUE), (-1, Kind.ACTION_OVERDUE)]
    + [(-90, Kind.ACTION_OVERDUE)],
)
def test_an_action_is_notified_when_due_within_7_days_or_overdue(scene, due_in, kind):
    action = make_action(scene, scene.member, due_in=due_in)
    about = f"action:{action.pk}:{action.due_on.isoformat()}"
    for each in (Kind.ACTION_DUE, Kind.ACTION_OVERDUE):
        expected = {("cotswold-ict", about)} if each == kind else set()
        assert due(each) == expected


@pytest.mark.parametrize(
    ("owner_role", "owners"),
    [
        (OwnerRole.ICT_MANAGER, {"cotswold-ict"}),
        (OwnerRole.EXECUTIVE, {"cotswold-exec"}),
        (OwnerRole.LEGAL, {"cotswold-exec"}),
        (OwnerRole.INFORMATION_GOVERNANCE, {"cotswold-exec"}),
    ],
)
def test_an_action_goes_to_its_owners_at_its_organisation(scene, owner_role, owners):
    make_action(scene, scene.member, due_in=3, owner_role=owner_role)
    assert {who for who, _ in due(Kind.ACTION_DUE)} == owners


@pytest.mark.parametrize("status", [ActionStatus.DONE, ActionStatus.DROPPED])
def test_a_done_or_dropped_action_is_not_notified(scene, status):
    make_action(scene, scene.member, due_in=-3, status=status)
    assert due(Kind.ACTION_OVERDUE) == set()


def test_an_action_in_progress_is_still_notified(scene):
    make_action(scene, scene.member, due_in=-3, status=ActionStatus.IN_PROGRESS)
    assert {who for who, _ in due(Kind.ACTION_OVERDUE)} == {"cotswold-ict"}


@pytest.mark.parametrize(
    ("owner_role", "owners"),
    [(OwnerRole.EXECUTIVE, {"avonford-exec"}), (OwnerRole.ICT_MANAGER, {"avonford-ict"})],
)
def test_a_partnership_wide_action_goes_to_the_lead_partners_owners(scene, owner_role, owners):
    make_action(scene, scene.lead, due_in=2, owner_role=owner_role, partnership_wide=True)
    assert {who for who, _ in due(Kind.ACTION_DUE)} == owners


def test_a_partnership_wide_action_follows_the_lead_partner(scene):
    make_action(scene, scene.lead, due_in=2, owner_role=OwnerRole.EXECUTIVE, partnership_wide=True)
    Membership.objects.filter(organisation=scene.lead).update(role=MembershipRole.MEMBER)
    Membership.objects.filter(organisation=scene.member).update(role=MembershipRole.LEAD)
    assert {who for who, _ in due(Kind.ACTION_DUE)} == {"cotswold-exec"}


def test_a_partnership_wide_action_follows_the_lead_partner_with_no_round_open(scene):
    """The lead is known from the memberships even when nothing else is due in the
    partnership (no open round, no formula)."""
    set_round(scene.round, closes_in=-1, status=RoundStatus.CLOSED)
    make_action(scene, scene.lead, due_in=2, owner_role=OwnerRole.EXECUTIVE, partnership_wide=True)
    Membership.objects.filter(organisation=scene.lead).update(role=MembershipRole.MEMBER)
    Membership.objects.filter(organisation=scene.member).update(role=MembershipRole.LEAD)
    assert {who for who, _ in due(Kind.ACTION_DUE)} == {"cotswold-exec"}


def test_an_action_of_a_member_that_left_is_not_notified(scene):
    """Its people can no longer open the action's page, which the email links to."""
    make_action(scene, scene.member, due_in=-2)
    make_action(scene, scene.lead, due_in=-2)
    Membership.objects.filter(organisation=scene.member).update(left_on=in_days(-1))
    assert {who for who, _ in due(Kind.ACTION_OVERDUE)} == {"avonford-ict"}


def test_a_changed_due_date_gives_a_new_notice(scene):
    action = make_action(scene, scene.member, due_in=5)
    run(due_notices(today()))
    Action.objects.filter(pk=action.pk).update(due_on=in_days(6))
    run(due_notices(today()))
    run(due_notices(today()))  # and nothing more for the same date
    to_owner = [m for m in mail.outbox if m.to == ["cotswold-ict@example.invalid"]]
    assert [m.subject for m in to_owner] == [
        f"An action is due on {in_days(5):%-d %B %Y}",
        f"An action is due on {in_days(6):%-d %B %Y}",
    ]


def test_an_action_due_then_overdue_gives_one_notice_of_each(scene):
    action = make_action(scene, scene.member, due_in=1)
    run(due_notices(today()))
    run(due_notices(action.due_on + timedelta(days=1)))
    run(due_notices(action.due_on + timedelta(days=5)))
    to_owner = [m.subject for m in mail.outbox if m.to == ["cotswold-ict@example.invalid"]]
    assert to_owner == [
        f"An action is due on {action.due_on:%-d %B %Y}",
        f"An action was due on {action.due_on:%-d %B %Y}",
    ]


# Who gets nothing ----------------------------------------------------------------


@pytest.fixture
def everything_due(scene, administrator):
    """A notice of every kind due to Cotswold's people (and the lead's)."""
    set_round(scene.round, opened_days_ago=0, closes_in=7)
    other = Round.objects.create(
        partnership=scene.partnership,
        framework=scene.round.framework,
        name="Second review",
        opens_on=in_days(-30),
    )
    assess(other, scene.lead)
    assess(other, scene.member)
    reopened(scene, administrator)
    FundingFormulaFactory(partnership=scene.partnership)
    make_action(scene, scene.member, due_in=3)
    make_action(scene, scene.member, due_in=-3, owner_role=OwnerRole.EXECUTIVE)
    return scene


def kinds_for(username) -> set[str]:
    user = User.objects.get(username=username)
    return {n.kind for n in due_notices(today()) if n.recipient_id == user.pk}


def test_every_kind_is_due_in_the_scene(everything_due):
    assert kinds_for("cotswold-ict") == {
        Kind.ROUND_OPENED,
        Kind.ROUND_REMINDER,
        Kind.ASSESSMENT_REOPENED,
        Kind.ACTION_DUE,
    }
    assert kinds_for("cotswold-exec") == {Kind.FORMULA_TO_SIGN, Kind.ACTION_OVERDUE}
    assert Kind.ALL_SUBMITTED in kinds_for("avonford-exec")


def test_nothing_goes_to_other_organisations_people_or_administrators(everything_due):
    notices = due_notices(today())
    names = dict(User.objects.values_list("pk", "username"))
    partnership_a = {everything_due.partnership.name}
    to_outsiders = [
        n
        for n in notices
        if names[n.recipient_id].startswith("brambleton")
        and n.context["partnership"] in partnership_a
    ]
    assert to_outsiders == []
    assert "administrator" not in {names[n.recipient_id] for n in notices}
    # Cotswold's people hear only of Cotswold's assessment and actions.
    own = {"cotswold-ict", "cotswold-exec"}
    for n in notices:
        if n.kind in (Kind.ASSESSMENT_REOPENED, Kind.ACTION_DUE, Kind.ACTION_OVERDUE):
            assert names[n.recipient_id] in own


def test_turning_reminders_off_stops_reminders_but_not_notices(everything_due):
    for username in ("cotswold-ict", "cotswold-exec"):
        Preference.objects.create(user=User.objects.get(username=username), reminders=False)
    assert kinds_for("cotswold-ict") == {Kind.ROUND_OPENED, Kind.ASSESSMENT_REOPENED}
    assert kinds_for("cotswold-exec") == {Kind.FORMULA_TO_SIGN}
    # Turned on again: reminders are due again.
    Preference.objects.filter(user__username="cotswold-ict").update(reminders=True)
    assert Kind.ROUND_REMINDER in kinds_for("cotswold-ict")


def test_people_without_an_email_or_inactive_get_nothing(everything_due):
    User.objects.filter(username="cotswold-ict").update(email="")
    User.objects.filter(username="cotswold-exec").update(is_active=False)
    assert kinds_for("cotswold-ict") == set()
    assert kinds_for("cotswold-exec") == set()
    # Their colleagues still get theirs.
    assert Kind.ALL_SUBMITTED in kinds_for("avonford-exec")
