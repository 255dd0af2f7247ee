"""Which notices are due now, worked out afresh from the data on every run, so a run
that crashed, or two runs at once, decide the same thing. Each notice has a key (kind,
what it is about, recipient) that the database keeps unique; recording an already
recorded notice does nothing.

What is sent, to whom and when (the README repeats this):
- a round opened (in the last 14 days): each member's ICT managers;
- a round closes in 14, 7 or 1 days (or today): the ICT managers of members that have
  not submitted, once for each of those marks reached (the latest one only, if the
  command first runs late);
- an assessment was reopened (in the last 30 days, still a draft): its organisation's
  ICT managers, with the reason;
- a funding formula version to sign: executives of current members that have not
  signed the current version;
- every member has submitted in an open round: the lead partner's executives;
- an action is due within 7 days, or overdue: the people who own it (its
  organisation's ICT managers, or executives for executive, legal and information
  governance actions; a partnership-wide action's owners at the lead partner), while
  that organisation is still a member (others cannot open the action's page).
Reminders (round closing, actions) are not sent to people who turned them off.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse

from assessments.actions.models import OPEN_STATUSES, Action
from assessments.choices import OwnerRole
from assessments.deadlines import days_left, deadline_phrase
from assessments.models import (
    Assessment,
    AssessmentReopening,
    AssessmentStatus,
    Round,
    RoundStatus,
)
from partnerships.models import (
    FundingFormula,
    FundingSignOff,
    Membership,
    MembershipRole,
    Role,
    User,
)

from .models import REMINDERS, Kind, Preference

REMINDER_DAYS = (1, 7, 14)
ROUND_OPENED_WITHIN_DAYS = 14
REOPENED_WITHIN_DAYS = 30
ACTION_DUE_WITHIN_DAYS = 7


@dataclass(frozen=True)
class Notice:
    recipient_id: int
    kind: str
    about: str
    subject: str
    context: dict = field(default_factory=dict)


def link(viewname: str, *args) -> str:
    return settings.SITE_URL + reverse(viewname, args=args)


def reminder_mark(left: int | None) -> int | None:
    """The reminder due with `left` days to go: the nearest of 14, 7 and 1 days not
    yet passed (1 also covers the closing day); None when none is due."""
    if left is None or left < 0:
        return None
    return next((mark for mark in REMINDER_DAYS if left <= mark), None)


class People:
    """The active people with an email address of the organisations concerned, by
    organisation and role, knowing who turned reminders off. Two queries."""

    def __init__(self, organisation_ids):
        self.by_role = defaultdict(list)
        users = User.objects.filter(
            organisation_id__in=organisation_ids, is_active=True, role__in=Role.values
        ).exclude(email="")
        for user_id, organisation_id, role in users.values_list("pk", "organisation_id", "role"):
            self.by_role[organisation_id, role].append(user_id)
        self.no_reminders = set(
            Preference.objects.filter(reminders=False).values_list("user_id", flat=True)
        )

    def of(self, organisation_id, role, kind) -> list[int]:
        people = self.by_role.get((organisation_id, role), [])
        if kind in REMINDERS:
            return [p for p in people if p not in self.no_reminders]
        return people


def due_notices(today: date) -> list[Notice]:
    rounds = list(Round.objects.filter(status=RoundStatus.OPEN).select_related("partnership"))
    formulas = _current_formulas()
    actions = list(
        Action.objects.filter(
            status__in=OPEN_STATUSES, due_on__lte=today + timedelta(days=ACTION_DUE_WITHIN_DAYS)
        ).select_related("partnership")
    )
    partnership_ids = (
        {r.partnership_id for r in rounds}
        | {f.partnership_id for f in formulas}
        | {a.partnership_id for a in actions}
    )
    memberships = list(
        Membership.objects.current(on=today).filter(partnership_id__in=partnership_ids)
    )
    reopenings = list(
        AssessmentReopening.objects.filter(
            reopened_at__date__gte=today - timedelta(days=REOPENED_WITHIN_DAYS),
            assessment__status=AssessmentStatus.DRAFT,
        ).select_related("assessment__round__partnership")
    )
    organisation_ids = (
        {m.organisation_id for m in memberships}
        | {a.organisation_id for a in actions}
        | {r.assessment.organisation_id for r in reopenings}
    )
    people = People(organisation_ids)
    submitted = set(
        Assessment.objects.filter(round__in=rounds, status=AssessmentStatus.SUBMITTED).values_list(
            "round_id", "organisation_id"
        )
    )
    members = defaultdict(list)
    for membership in memberships:
        members[membership.partnership_id].append(membership)

    notices = []
    notices += _rounds(rounds, members, submitted, people, today)
    notices += _reopenings(reopenings, people)
    notices += _formulas(formulas, members, people)
    notices += _actions(actions, members, people, today)
    return notices


def _rounds(rounds, members, submitted, people, today) -> list[Notice]:
    notices = []
    for round_ in rounds:
        partnership = round_.partnership
        where = {
            "partnership": partnership.name,
            "round": round_.name,
            "closes_on": f"{round_.closes_on:%-d %B %Y}" if round_.closes_on else "",
            "deadline": deadline_phrase(round_.closes_on, today),
            "url": link("assessments:dashboard"),
        }
        current = members[partnership.pk]
        if round_.opens_on >= today - timedelta(days=ROUND_OPENED_WITHIN_DAYS):
            notices += [
                Notice(
                    person,
                    Kind.ROUND_OPENED,
                    f"round:{round_.pk}",
                    f"{round_.name} is open: assess your organisation's readiness",
                    where,
                )
                for m in current
                for person in people.of(m.organisation_id, Role.ICT_MANAGER, Kind.ROUND_OPENED)
            ]
        mark = reminder_mark(days_left(round_.closes_on, today))
        if mark is not None:
            notices += [
                Notice(
                    person,
                    Kind.ROUND_REMINDER,
                    f"round:{round_.pk}:{mark}",
                    f"{round_.name} closes on {where['closes_on']}: {where['deadline']}",
                    where,
                )
                for m in current
                if (round_.pk, m.organisation_id) not in submitted
                for person in people.of(m.organisation_id, Role.ICT_MANAGER, Kind.ROUND_REMINDER)
            ]
        if current and all((round_.pk, m.organisation_id) in submitted for m in current):
            report = where | {"url": link("assessments:partnership_report", round_.pk)}
            notices += [
                Notice(
                    person,
                    Kind.ALL_SUBMITTED,
                    f"round:{round_.pk}",
                    f"Every member has submitted: {round_.name}",
                    report,
                )
                for m in current
                if m.role == MembershipRole.LEAD
                for person in people.of(m.organisation_id, Role.EXECUTIVE, Kind.ALL_SUBMITTED)
            ]
    return notices


def _reopenings(reopenings, people) -> list[Notice]:
    notices = []
    for reopening in reopenings:
        assessment = reopening.assessment
        context = {
            "partnership": assessment.round.partnership.name,
            "round": assessment.round.name,
            "reason": reopening.reason,
            "url": link("assessments:tasks", assessment.pk),
        }
        notices += [
            Notice(
                person,
                Kind.ASSESSMENT_REOPENED,
                f"reopening:{reopening.pk}",
                f"Your {assessment.round.name} assessment was reopened",
                context,
            )
            for person in people.of(
                assessment.organisation_id, Role.ICT_MANAGER, Kind.ASSESSMENT_REOPENED
            )
        ]
    return notices


def _current_formulas() -> list[FundingFormula]:
    newer = FundingFormula.objects.filter(
        partnership_id=OuterRef("partnership_id"), version__gt=OuterRef("version")
    )
    return list(FundingFormula.objects.exclude(Exists(newer)).select_related("partnership"))


def _formulas(formulas, members, people) -> list[Notice]:
    signed = set(
        FundingSignOff.objects.filter(formula__in=formulas).values_list(
            "formula_id", "organisation_id"
        )
    )
    notices = []
    for formula in formulas:
        context = {
            "partnership": formula.partnership.name,
            "version": formula.version,
            "url": link("partnerships:funding", formula.partnership_id),
        }
        notices += [
            Notice(
                person,
                Kind.FORMULA_TO_SIGN,
                f"formula:{formula.pk}",
                f"Sign version {formula.version} of the funding formula",
                context,
            )
            for m in members[formula.partnership_id]
            if (formula.pk, m.organisation_id) not in signed
            for person in people.of(m.organisation_id, Role.EXECUTIVE, Kind.FORMULA_TO_SIGN)
        ]
    return notices


def _actions(actions, members, people, today) -> list[Notice]:
    notices = []
    for action in actions:
        overdue = action.due_on < today
        kind = Kind.ACTION_OVERDUE if overdue else Kind.ACTION_DUE
        role = Role.ICT_MANAGER if action.owner_role == OwnerRole.ICT_MANAGER else Role.EXECUTIVE
        owner = action.organisation_id
        if action.partnership_wide:
            lead = [m for m in members[action.partnership_id] if m.role == MembershipRole.LEAD]
            owner = lead[0].organisation_id if lead else owner
        if all(m.organisation_id != owner for m in members[action.partnership_id]):
            continue  # no longer a member: its people cannot open the action's page
        context = {
            "partnership": action.partnership.name,
            "description": action.description,
            "due_on": f"{action.due_on:%-d %B %Y}",
            "url": link("assessments:action", action.pk),
        }
        subject = (
            f"An action was due on {context['due_on']}"
            if overdue
            else f"An action is due on {context['due_on']}"
        )
        # The due date is in the key: a new date makes a new notice.
        about = f"action:{action.pk}:{action.due_on.isoformat()}"
        notices += [
            Notice(person, kind, about, subject, context) for person in people.of(owner, role, kind)
        ]
    return notices
