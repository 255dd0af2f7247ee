"""Who may see and change rounds and assessments: every such decision in the
assessments app is a predicate here. Views load objects through the
`get_..._for_user` helpers (another organisation's assessment, or a round of a
partnership the user's organisation is not in, is a 404) and pass each "may this
person change it?" through `common.access.require` (403). Services call the same
predicates as a second line of defence; templates receive booleans.

| predicate | who passes |
| --- | --- |
| `can_start_assessment(user, round)` | an ICT manager of a current member organisation |
| `can_change_answers(user, assessment)` | the assessment's organisation's ICT managers |
| `answers_editable(user, assessment)` | as above, while a draft and a current member's |
| `can_reopen(user, assessment)` | administrators, the partnership's coordinators |
| `can_manage_rounds(user, partnership)` | administrators, the partnership's coordinators |
| `can_plan_own_actions(user, partnership)` | executives and ICT managers of a current member |
| `can_plan_partnership_actions(user, partnership)` | executives of the current lead partner |
| `can_update_action(user, action)` | as the first (own) or second (partnership-wide) |
| `owned_action_roles(user)` | the owner roles whose actions are this person's to do |
| `can_project_membership(user, partnership)` | lead executives, coordinators, administrators |
| `can_change_score_sharing(user)` | executives, for their own organisation |

Actions are seen by whoever sees the partnership's report (`get_action_for_user`).
"""

from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from common.access import require
from partnerships.access import (
    can_administer,
    can_coordinate,
    is_current_member,
    is_executive,
    is_ict_manager,
    is_lead_executive,
    place_in,
)
from partnerships.models import Membership, MembershipRole

from .choices import OwnerRole
from .models import Action, Assessment, Dimension, Round

CHANGE_REFUSED = "Only the organisation's ICT manager can change its assessment"


def can_start_assessment(user, round_: Round, *, is_member: bool | None = None) -> bool:
    """`is_member` is for callers that have already loaded the user's membership of
    the round's partnership (the dashboard), to save a query per round."""
    if not is_ict_manager(user):
        return False
    return is_current_member(user, round_.partnership) if is_member is None else is_member


def can_change_answers(user, assessment: Assessment) -> bool:
    return is_ict_manager(user) and user.organisation_id == assessment.organisation_id


def left_partnership_on(assessment: Assessment):
    """The day the assessment's organisation left the round's partnership, if it has
    left (an organisation that left can no longer change its open assessments there).
    Read from the annotation `get_assessment_for_user` adds, or queried."""
    if hasattr(assessment, "membership_left_on"):
        left_on = assessment.membership_left_on
    else:
        left_on = (
            Membership.objects.filter(
                partnership_id=assessment.round.partnership_id,
                organisation_id=assessment.organisation_id,
            )
            .values_list("left_on", flat=True)
            .first()
        )
    if left_on is not None and left_on <= timezone.localdate():
        return left_on
    return None


def answers_editable(user, assessment: Assessment, *, still_member: bool | None = None) -> bool:
    """`still_member` is for callers that know the organisation is a current member
    (the dashboard lists only current partnerships), to save a query each."""
    if not can_change_answers(user, assessment) or assessment.is_submitted:
        return False
    if still_member is None:
        still_member = left_partnership_on(assessment) is None
    return still_member


def can_reopen(user, assessment: Assessment) -> bool:
    return can_coordinate(user, assessment.round.partnership)


def can_manage_rounds(user, partnership) -> bool:
    return can_coordinate(user, partnership)


def get_assessment_for_user(user, pk: int, *, write: bool = False) -> Assessment:
    left_on = Membership.objects.filter(
        partnership=OuterRef("round__partnership"), organisation=OuterRef("organisation")
    ).values("left_on")[:1]
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user)
        .with_latest_reopening()
        .select_related("round__partnership", "round__framework", "organisation", "submitted_by")
        .annotate(membership_left_on=Subquery(left_on)),
        pk=pk,
    )
    if write:
        require(can_change_answers(user, assessment), CHANGE_REFUSED)
    return assessment


def get_dimension_for_assessment(assessment: Assessment, code: str) -> Dimension:
    return get_object_or_404(Dimension, framework_id=assessment.round.framework_id, code=code)


def get_round_for_user(user, pk: int) -> Round:
    """A round of a partnership the user's organisation currently belongs to."""
    return get_object_or_404(
        Round.objects.visible_to(user).select_related("partnership", "framework"), pk=pk
    )


def can_plan_own_actions(user, partnership) -> bool:
    """Agreeing and updating actions for one's own organisation."""
    return (is_executive(user) or is_ict_manager(user)) and is_current_member(user, partnership)


def can_plan_partnership_actions(user, partnership) -> bool:
    return is_lead_executive(user, partnership)


def can_update_action(user, action: Action) -> bool:
    if action.partnership_wide:
        return can_plan_partnership_actions(user, action.partnership)
    return user.organisation_id == action.organisation_id and can_plan_own_actions(
        user, action.partnership
    )


def get_action_for_user(user, pk: int) -> Action:
    """An action of a partnership the user's organisation belongs to today (any for
    staff); 404 otherwise."""
    return get_object_or_404(
        Action.objects.visible_to(user).select_related("partnership", "organisation", "round"),
        pk=pk,
    )


def updatable_action_ids(user, partnership, items: list[dict]) -> set[int]:
    """Which of a partnership's action plan items (report data) the user may change:
    two queries, whatever the number of actions."""
    own = can_plan_own_actions(user, partnership)
    lead = can_plan_partnership_actions(user, partnership)
    return {
        item["id"]
        for item in items
        if (
            lead
            if item["partnership_wide"]
            else own and item["organisation_id"] == user.organisation_id
        )
    }


def owned_action_roles(user) -> set[str]:
    """The owner roles of the actions that are this person's to do: an ICT manager's,
    or an executive's (who also answers for legal and information governance)."""
    if is_ict_manager(user):
        return {OwnerRole.ICT_MANAGER}
    if is_executive(user):
        return {OwnerRole.EXECUTIVE, OwnerRole.LEGAL, OwnerRole.INFORMATION_GOVERNANCE}
    return set()


# ---------------------------------------------------------------- insights

PROJECTION_REFUSED = (
    "Only the lead partner's executives and the partnership's coordinators can project "
    "a change of membership"
)


def can_project_membership(user, partnership) -> bool:
    """ "What if" projections of adding or removing members."""
    return is_lead_executive(user, partnership) or can_coordinate(user, partnership)


def get_round_to_project(user, round_id: int) -> Round:
    """An open round of a partnership the user sees (404 otherwise: a closed round's
    membership is history), which the user may project (403 otherwise)."""
    round_ = get_round_for_user(user, round_id)
    if not round_.is_open:
        raise Http404("Projections are made for open rounds")
    require(can_project_membership(user, round_.partnership), PROJECTION_REFUSED)
    return round_


def report_offers(user, partnership) -> tuple[bool, bool]:
    """What the partnership report page offers: (planning actions, projecting a change
    of membership), answered as `can_plan_own_actions` or
    `can_plan_partnership_actions`, and `can_project_membership` answer them, from one
    query instead of three."""
    role, coordinates = place_in(user, partnership)
    lead_executive = is_executive(user) and role == MembershipRole.LEAD
    can_plan = (is_executive(user) or is_ict_manager(user)) and role is not None
    can_project = lead_executive or can_administer(user) or coordinates
    return can_plan or lead_executive, can_project


def can_change_score_sharing(user) -> bool:
    """Whether an organisation's scores may appear in other partnerships' projections
    is its executives' decision."""
    return is_executive(user) and user.organisation_id is not None
