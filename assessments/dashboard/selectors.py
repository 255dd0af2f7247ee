"""What the dashboard shows a user, loaded in a fixed number of queries, with what
the user may do in each round (from the access predicates)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from partnerships.models import Membership, Partnership

from ..access import answers_editable, can_start_assessment
from ..models import Assessment, Round


@dataclass
class RoundRow:
    round: Round
    assessment: Assessment | None
    can_start: bool = False  # the user may start their organisation's assessment
    can_continue: bool = False  # the user may change its answers


@dataclass
class PartnershipRow:
    partnership: Partnership
    membership: Membership | None
    rounds: list[RoundRow] = field(default_factory=list)


def dashboard_for(user) -> list[PartnershipRow]:
    """The user's partnerships, their rounds, and the user's organisation's assessment
    in each round (None where it has not started one)."""
    organisation_id = user.organisation_id
    partnerships = list(
        Partnership.objects.visible_to(user).prefetch_related(
            Prefetch("rounds", queryset=Round.objects.select_related("framework")),
            Prefetch(
                "memberships",
                queryset=Membership.objects.current().filter(organisation_id=organisation_id),
                to_attr="own_memberships",
            ),
        )
    )
    assessments = {}
    if organisation_id is not None:
        assessments = {
            assessment.round_id: assessment
            for assessment in Assessment.objects.with_latest_reopening().filter(
                organisation_id=organisation_id, round__partnership__in=partnerships
            )
        }
    rows = []
    for partnership in partnerships:
        membership = partnership.own_memberships[0] if partnership.own_memberships else None
        rounds = []
        for round_ in partnership.rounds.all():
            assessment = assessments.get(round_.pk)
            rounds.append(
                RoundRow(
                    round_,
                    assessment,
                    can_start=assessment is None
                    and round_.is_open
                    and can_start_assessment(user, round_, is_member=membership is not None),
                    can_continue=assessment is not None
                    and answers_editable(user, assessment, still_member=membership is not None),
                )
            )
        rows.append(PartnershipRow(partnership, membership, rounds))
    return rows
