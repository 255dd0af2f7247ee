"""What a coordinator's overview shows, in a fixed number of queries whatever the
number of members: members with their people, each member's assessment in the open
rounds, the current funding formula's sign-offs, pending invitations, coordinators
and the latest changes. Statuses and scores only: never evidence or comments."""

from collections import defaultdict
from dataclasses import dataclass, field

from assessments.models import Assessment, Round, RoundStatus
from identity.models import EventKind, SecurityEvent
from partnerships.access import deactivatable_people
from partnerships.coordination import is_pending_invitation
from partnerships.models import Coordinator, FundingFormula, Membership, Partnership, User

RECENT_CHANGES = 15


@dataclass
class MemberRow:
    membership: Membership
    people: list[User] = field(default_factory=list)
    invited: list[User] = field(default_factory=list)
    # Per open round (by round id): the member's assessment, or None if not started.
    assessments: dict[int, Assessment | None] = field(default_factory=dict)
    signed: bool = False


@dataclass
class Overview:
    partnership: Partnership
    members: list[MemberRow]
    open_rounds: list[Round]
    other_rounds: list[Round]
    formula: FundingFormula | None
    coordinators: list[Coordinator]
    changes: list[SecurityEvent]
    # The people the viewer may turn off (partnerships.access.deactivatable_people).
    can_turn_off: set[int] = field(default_factory=set)

    @property
    def invitations(self) -> list[User]:
        return [person for row in self.members for person in row.invited]


def overview(partnership: Partnership, user) -> Overview:
    memberships = list(
        Membership.objects.current()
        .filter(partnership=partnership)
        .select_related("organisation")
        .order_by("-role", "organisation__name")  # the lead first
    )
    rows = {membership.organisation_id: MemberRow(membership) for membership in memberships}
    for person in User.objects.filter(organisation_id__in=rows, is_active=True).order_by(
        "last_name", "first_name", "username"
    ):
        row = rows[person.organisation_id]
        (row.invited if is_pending_invitation(person) else row.people).append(person)

    rounds = list(Round.objects.filter(partnership=partnership).select_related("framework"))
    open_rounds = [round_ for round_ in rounds if round_.status == RoundStatus.OPEN]
    found = defaultdict(dict)
    for assessment in Assessment.objects.filter(
        round__in=open_rounds, organisation_id__in=rows
    ).only("id", "round_id", "organisation_id", "status", "submitted_at", "updated_at"):
        found[assessment.organisation_id][assessment.round_id] = assessment
    for organisation_id, row in rows.items():
        row.assessments = {
            round_.pk: found[organisation_id].get(round_.pk) for round_ in open_rounds
        }

    formula = partnership.funding_formulas.order_by("-version").first()
    if formula is not None:
        signed = set(formula.sign_offs.values_list("organisation_id", flat=True))
        for organisation_id, row in rows.items():
            row.signed = organisation_id in signed

    people = [person for row in rows.values() for person in row.people]
    return Overview(
        can_turn_off=deactivatable_people(user, partnership, people),
        partnership=partnership,
        members=list(rows.values()),
        open_rounds=open_rounds,
        other_rounds=[round_ for round_ in rounds if round_.status != RoundStatus.OPEN],
        formula=formula,
        coordinators=list(
            Coordinator.objects.filter(partnership=partnership).select_related("user")
        ),
        changes=list(
            SecurityEvent.objects.filter(
                partnership=partnership,
                kind__in=[EventKind.PARTNERSHIP_CHANGED, EventKind.REOPENED],
            ).select_related("actor")[:RECENT_CHANGES]
        ),
    )
