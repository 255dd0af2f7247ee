"""What the dashboard shows a user, loaded in a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from partnerships.models import Membership, Partnership

from .models import Assessment, Round


@dataclass
class RoundRow:
    round: Round
    assessment: Assessment | None


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
            for assessment in Assessment.objects.filter(
                organisation_id=organisation_id, round__partnership__in=partnerships
            )
        }
    return [
        PartnershipRow(
            partnership=partnership,
            membership=partnership.own_memberships[0] if partnership.own_memberships else None,
            rounds=[RoundRow(r, assessments.get(r.pk)) for r in partnership.rounds.all()],
        )
        for partnership in partnerships
    ]
