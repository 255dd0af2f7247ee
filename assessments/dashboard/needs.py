"""What needs you: the things the person signed in has to do, first on the dashboard,
each a link to the page that does it. Built from the dashboard's rows (already loaded)
and a fixed number of queries, whatever the number of partnerships and rounds.

- ICT managers: assessments to start or submit, with the deadline; reopened
  assessments, with the reason; their actions due within two weeks or overdue.
- Executives: the current funding formula to sign; reports of rounds closed in the
  last 30 days; their actions.
- The lead partner's executives, besides: members that have not submitted, members
  whose executive has not signed, overdue actions across the partnership.
- Administrators: open rounds past their closing date or without one, member
  organisations with no users, invitations not accepted after 14 days.
- Executives and administrators: people who arrived by single sign-on and wait for
  a role (their own organisation's, for executives).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from identity.access import can_give_roles, people_to_give_roles
from partnerships.access import can_administer, can_sign_funding, is_lead_executive
from partnerships.models import FundingFormula, FundingSignOff, Membership, User

from ..access import owned_action_roles
from ..actions.models import OPEN_STATUSES, Action
from ..deadlines import days_left, deadline_phrase
from ..models import Assessment, AssessmentStatus, Round, RoundStatus
from .selectors import PartnershipRow

ACTIONS_DUE_WITHIN_DAYS = 14
REPORTS_NEW_FOR_DAYS = 30
INVITATION_STALE_AFTER_DAYS = 14
ADMIN_ITEMS_SHOWN = 10


@dataclass(frozen=True)
class Need:
    text: str
    url: str
    hint: str = ""
    urgent: bool = False  # overdue, or a deadline within a week


def needs_for(user, rows: list[PartnershipRow], today: date | None = None) -> list[Need]:
    today = today or timezone.localdate()
    needs = _assessment_needs(rows, today)
    needs += _funding_needs(user, rows)
    needs += _report_needs(user, rows, today)
    needs += _action_needs(user, rows, today)
    needs += _lead_needs(user, rows, today)
    needs += _role_needs(user)
    if can_administer(user):
        needs += _administrator_needs(today)
    return needs


def _role_needs(user) -> list[Need]:
    if can_give_roles(user):
        url = reverse("identity:people_awaiting_role")
        waiting = people_to_give_roles(user).count()
    elif can_administer(user):
        url = reverse("admin:partnerships_user_changelist") + "?role__exact="
        waiting = User.objects.filter(organisation__isnull=False, role="", is_active=True).count()
    else:
        return []
    if not waiting:
        return []
    people = "person is" if waiting == 1 else "people are"
    return [Need(f"Give a role: {waiting} {people} waiting for one", url, urgent=True)]


def _deadline(round_: Round, today: date) -> tuple[str, bool]:
    left = days_left(round_.closes_on, today)
    return deadline_phrase(round_.closes_on, today), left is not None and left <= 7


def _assessment_needs(rows, today) -> list[Need]:
    needs = []
    for row in rows:
        for item in row.rounds:
            round_ = item.round
            where = f"{row.partnership.name}, {round_.name}"
            phrase, urgent = _deadline(round_, today)
            if item.can_start:
                url = reverse("assessments:start", args=[round_.pk])
                needs.append(Need(f"Start your assessment: {phrase}", url, where, urgent))
            elif item.can_continue and item.assessment.last_reopen_reason:
                needs.append(
                    Need(
                        f"Your assessment was reopened: check and submit it again: {phrase}",
                        reverse("assessments:tasks", args=[item.assessment.pk]),
                        f"{where}. Reason given: {item.assessment.last_reopen_reason}",
                        urgent,
                    )
                )
            elif item.can_continue and round_.is_open:
                url = reverse("assessments:tasks", args=[item.assessment.pk])
                needs.append(Need(f"Submit your assessment: {phrase}", url, where, urgent))
    return needs


def _current_formulas(rows, organisation_id) -> dict[int, FundingFormula]:
    """Each partnership's current formula, marked whether the user's organisation has
    signed it (one query)."""
    formulas = (
        FundingFormula.objects.filter(partnership__in=[row.partnership for row in rows])
        .annotate(
            signed_by_own=Exists(
                FundingSignOff.objects.filter(
                    formula=OuterRef("pk"), organisation_id=organisation_id
                )
            )
        )
        .order_by("partnership_id", "version")
    )
    return {formula.partnership_id: formula for formula in formulas}  # the last is current


def _funding_needs(user, rows) -> list[Need]:
    signers = [
        row
        for row in rows
        if can_sign_funding(user, row.partnership, is_member=row.membership is not None)
    ]
    if not signers:
        return []
    formulas = _current_formulas(signers, user.organisation_id)
    return [
        Need(
            f"Sign version {formula.version} of the funding formula",
            reverse("partnerships:funding", args=[row.partnership.pk]),
            row.partnership.name,
            urgent=True,
        )
        for row in signers
        if (formula := formulas.get(row.partnership.pk)) and not formula.signed_by_own
    ]


def _report_needs(user, rows, today) -> list[Need]:
    """Reports of rounds that closed recently, for those who sign the formula off."""
    since = today - timedelta(days=REPORTS_NEW_FOR_DAYS)
    return [
        Need(
            f"Read the {item.round.name} report",
            reverse("assessments:partnership_report", args=[item.round.pk]),
            f"{row.partnership.name}: the round closed on {item.round.closes_on:%-d %B %Y}",
        )
        for row in rows
        if can_sign_funding(user, row.partnership, is_member=row.membership is not None)
        for item in row.rounds
        if not item.round.is_open and item.round.closes_on and item.round.closes_on >= since
    ]


def _action_needs(user, rows, today) -> list[Need]:
    roles = owned_action_roles(user)
    if not roles or not rows:
        return []
    actions = Action.objects.filter(
        partnership__in=[row.partnership for row in rows if row.membership is not None],
        organisation_id=user.organisation_id,
        partnership_wide=False,
        owner_role__in=roles,
        status__in=OPEN_STATUSES,
        due_on__lte=today + timedelta(days=ACTIONS_DUE_WITHIN_DAYS),
    ).select_related("partnership")
    needs = []
    for action in actions:
        overdue = action.due_on < today
        when = "overdue" if overdue else f"due {action.due_on:%-d %B %Y}"
        needs.append(
            Need(
                f"Action {when}: {action.description[:120]}",
                reverse("assessments:action", args=[action.pk]),
                action.partnership.name,
                urgent=overdue or action.due_on <= today + timedelta(days=7),
            )
        )
    return needs


def _lead_needs(user, rows, today) -> list[Need]:
    leading = [
        row
        for row in rows
        if row.membership is not None
        and is_lead_executive(user, row.partnership, membership=row.membership)
    ]
    if not leading:
        return []
    partnerships = [row.partnership for row in leading]
    members = dict(
        Membership.objects.current()
        .filter(partnership__in=partnerships)
        .values_list("partnership")
        .annotate(n=Count("pk"))
    )
    open_rounds = [item.round for row in leading for item in row.rounds if item.round.is_open]
    submitted = dict(
        Assessment.objects.filter(round__in=open_rounds, status=AssessmentStatus.SUBMITTED)
        .values_list("round")
        .annotate(n=Count("pk"))
    )
    formulas = _current_formulas(leading, user.organisation_id)
    signed = dict(
        FundingSignOff.objects.filter(formula__in=formulas.values())
        .filter(
            Exists(
                Membership.objects.current().filter(
                    partnership_id=OuterRef("formula__partnership_id"),
                    organisation_id=OuterRef("organisation_id"),
                )
            )
        )
        .values_list("formula")
        .annotate(n=Count("pk"))
    )
    overdue = dict(
        Action.objects.filter(
            partnership__in=partnerships, status__in=OPEN_STATUSES, due_on__lt=today
        )
        .values_list("partnership")
        .annotate(n=Count("pk"))
    )
    needs = []
    for row in leading:
        pk, name, total = (
            row.partnership.pk,
            row.partnership.name,
            members.get(row.partnership.pk, 0),
        )
        for round_ in (item.round for item in row.rounds if item.round.is_open):
            missing = total - submitted.get(round_.pk, 0)
            if missing > 0:
                phrase, urgent = _deadline(round_, today)
                needs.append(
                    Need(
                        f"{missing} of {total} members have not submitted: {phrase}",
                        reverse("assessments:partnership_report", args=[round_.pk]),
                        f"{name}, {round_.name}",
                        urgent,
                    )
                )
        formula = formulas.get(pk)
        if formula is not None and (unsigned := total - signed.get(formula.pk, 0)) > 0:
            needs.append(
                Need(
                    f"{unsigned} of {total} members' executives have not signed version "
                    f"{formula.version} of the funding formula",
                    reverse("partnerships:funding", args=[pk]),
                    name,
                )
            )
        if overdue.get(pk):
            count = overdue[pk]
            needs.append(
                Need(
                    f"{count} overdue action{'s' if count != 1 else ''} across the partnership",
                    reverse("assessments:action_plan", args=[pk]),
                    name,
                    urgent=True,
                )
            )
    return needs


def _administrator_needs(today) -> list[Need]:
    def round_link(round_):
        return reverse("admin:assessments_round_change", args=[round_.pk])

    open_rounds = Round.objects.filter(status=RoundStatus.OPEN).select_related("partnership")
    needs = [
        Need(
            f"Close or extend {round_.name}: its closing date passed on "
            f"{round_.closes_on:%-d %B %Y}",
            round_link(round_),
            round_.partnership.name,
            urgent=True,
        )
        for round_ in open_rounds.filter(closes_on__lt=today)[:ADMIN_ITEMS_SHOWN]
    ]
    needs += [
        Need(f"Set a closing date for {round_.name}", round_link(round_), round_.partnership.name)
        for round_ in open_rounds.filter(closes_on__isnull=True)[:ADMIN_ITEMS_SHOWN]
    ]
    without_users = (
        Membership.objects.current()
        .exclude(
            Exists(User.objects.filter(organisation_id=OuterRef("organisation_id"), is_active=True))
        )
        .select_related("organisation", "partnership")
        .order_by("partnership__name", "organisation__name")
    )
    needs += [
        Need(
            f"Invite someone from {membership.organisation.name}: it has no users",
            reverse("admin:partnerships_user_invite"),
            membership.partnership.name,
        )
        for membership in without_users[:ADMIN_ITEMS_SHOWN]
    ]
    stale = (
        User.objects.filter(
            is_active=True,
            last_login__isnull=True,
            password__startswith="!",  # an invitation's unusable password, never replaced
            date_joined__lt=timezone.now() - timedelta(days=INVITATION_STALE_AFTER_DAYS),
        )
        .select_related("organisation")
        .order_by("date_joined")
    )
    needs += [
        Need(
            f"{person.get_full_name() or person.email} has not accepted their invitation",
            reverse("admin:partnerships_user_change", args=[person.pk]),
            f"{person.organisation.name if person.organisation else 'No organisation'}: "
            f"invited on {timezone.localdate(person.date_joined):%-d %B %Y}",
        )
        for person in stale[:ADMIN_ITEMS_SHOWN]
    ]
    return needs
