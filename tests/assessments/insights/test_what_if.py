"""The "what if" page (assessments:what_if): who may see it, that it saves nothing,
shows no evidence or comment and no unconsented scores, refuses bad input with a
plain message, escapes what it finds, and costs a fixed number of queries."""

import re
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from urllib.parse import urlencode, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.insights.models import ProjectionConsent
from assessments.models import Answer, Assessment, Round
from partnerships.models import (
    Coordinator,
    FundingFormula,
    FundingShare,
    FundingSignOff,
    Membership,
    Organisation,
    Role,
    User,
)
from tests.builders import add_partner, assess, sign_funding
from tests.conftest import client_for
from tests.factories import OrganisationFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET_EVIDENCE = "SECRET-EVIDENCE-XYZ"
SECRET_COMMENT = "SECRET-COMMENT-XYZ"
PROJECTION_HEADING = 'id="projection"'
WEAKEST_TABLE = "Weakest partner on each dimension"
LINK_TEXT = "What if the membership changed?"


# ---------------------------------------------------------------- the world


@dataclass
class World:
    council_a: object
    council_b: object
    bexley: Organisation
    bexley_executive: User
    coordinator: User
    administrator: User
    closed_round: Round

    @property
    def round(self):
        return self.council_a.round

    @property
    def partnership(self):
        return self.council_a.partnership

    @property
    def candidate(self) -> Organisation:
        """Brambleton Council: a member of another partnership, assessed there."""
        return self.council_b.organisation

    def persona(self, name):
        return {
            "anonymous": None,
            "ict_manager": self.council_a.ict_manager,
            "member_executive": self.bexley_executive,
            "lead_executive": self.council_a.executive,
            "coordinator": self.coordinator,
            "administrator": self.administrator,
            "other_lead_executive": self.council_b.executive,
        }[name]


def secret_assessment(round_, organisation, **kwargs):
    assessment = assess(round_, organisation, evidence=SECRET_EVIDENCE, **kwargs)
    Answer.objects.filter(assessment=assessment).update(comment=SECRET_COMMENT)
    return assessment


@pytest.fixture
def world(council_a, council_b, administrator, framework):
    """Council A's partnership: Avonford (lead) and Bexley Vale (a member with its own
    executive), both submitted with secret evidence and comments; a coordinator from an
    organisation that is not a member; a closed earlier round. Brambleton (council B,
    lead of its own partnership) submitted there at level 1, with secret evidence and
    comments, and has not agreed to show its scores."""
    today = timezone.localdate()
    council_a.partnership.memberships.update(joined_on=today - timedelta(days=500))
    bexley = add_partner(council_a.partnership, "Bexley Vale Council", joined_days_ago=500)
    secret_assessment(council_a.round, council_a.organisation, level=4)
    secret_assessment(council_a.round, bexley, level=3)
    secret_assessment(council_b.round, council_b.organisation, level=1)
    sign_funding(council_a.partnership, [council_a.organisation])
    coordinator = UserFactory(
        username="coordinator-a",
        organisation=OrganisationFactory(name="Programme Office"),
        role="",
    )
    Coordinator.objects.create(partnership=council_a.partnership, user=coordinator)
    closed_round = RoundFactory(
        partnership=council_a.partnership,
        framework=framework,
        name="2025 review",
        status="closed",
        opens_on=today - timedelta(days=400),
        closes_on=today - timedelta(days=300),
    )
    return World(
        council_a=council_a,
        council_b=council_b,
        bexley=bexley,
        bexley_executive=UserFactory(
            username="bexley-exec", organisation=bexley, role=Role.EXECUTIVE
        ),
        coordinator=coordinator,
        administrator=administrator,
        closed_round=closed_round,
    )


def what_if_url(round_, **params) -> str:
    url = reverse("assessments:what_if", args=[round_.pk])
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def projection_url(world, **extra) -> str:
    """Adding Brambleton and removing Bexley Vale."""
    return what_if_url(world.round, add=[world.candidate.pk], remove=[world.bexley.pk], **extra)


def state():
    """Everything a projection could be tempted to change."""
    return {
        "organisations": sorted(Organisation.objects.values_list("pk", "name")),
        "memberships": sorted(
            Membership.objects.values_list(
                "pk", "partnership_id", "organisation_id", "role", "joined_on", "left_on"
            )
        ),
        "assessments": sorted(
            Assessment.objects.values_list("pk", "round_id", "organisation_id", "status")
        ),
        "answers": sorted(
            Answer.objects.values_list("pk", "assessment_id", "level", "evidence", "comment")
        ),
        "formulas": sorted(FundingFormula.objects.values_list("pk", "version")),
        "sign_offs": sorted(FundingSignOff.objects.values_list("pk", "organisation_id")),
        "shares": sorted(FundingShare.objects.values_list("pk", "organisation_id", "percentage")),
        "consents": sorted(ProjectionConsent.objects.values_list("pk", "organisation_id")),
    }


def error_messages(html: str) -> list[str]:
    """The messages listed in the page's GOV.UK error summary, as text."""
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    items = re.findall(r"<li>(.*?)</li>", found.group(1), re.S) if found else []
    return [unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def checkbox_values(html: str, name: str) -> list[str]:
    return re.findall(rf'<input\s+type="checkbox"\s+name="{name}"[^>]*?value="([^"]*)"', html)


def sent_to_sign_in(response) -> bool:
    location = urlsplit(response.headers.get("Location", ""))
    return response.status_code == 302 and location.path == reverse("login")


# ---------------------------------------------------------------- who gets the page

PERSONAS = (
    "anonymous",
    "ict_manager",
    "member_executive",
    "lead_executive",
    "coordinator",
    "administrator",
    "other_lead_executive",
)
OPEN_ROUND = {
    "anonymous": 302,
    "ict_manager": 403,
    "member_executive": 403,
    "lead_executive": 200,
    "coordinator": 200,
    "administrator": 200,
    "other_lead_executive": 404,
}
# A closed round's membership is history: nobody projects it.
CLOSED_ROUND = {persona: 302 if persona == "anonymous" else 404 for persona in PERSONAS}
ALLOWED = [persona for persona, status in OPEN_ROUND.items() if status == 200]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("which", ["open", "closed"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_gets_the_what_if_page(client, world, persona, which, method):
    client_for(client, world.persona(persona))
    round_ = world.round if which == "open" else world.closed_round
    params = {"add": [world.candidate.pk], "remove": [world.bexley.pk]}
    before = state()

    if method == "GET":
        response = client.get(what_if_url(round_, **params))
    else:
        response = client.post(what_if_url(round_), params)

    expected = (OPEN_ROUND if which == "open" else CLOSED_ROUND)[persona]
    assert state() == before
    if expected == 302:
        assert sent_to_sign_in(response)
        return
    if method == "POST" and expected == 200:
        # The view reads only the address; a POST shows the empty form (or is refused).
        assert response.status_code in (200, 405)
        assert PROJECTION_HEADING not in response.text
        return
    assert response.status_code == expected
    if expected == 200:
        assert "This is a projection" in response.text
        assert PROJECTION_HEADING in response.text
    else:
        assert PROJECTION_HEADING not in response.text


def test_a_coordinator_of_another_partnership_gets_404(client, world, council_b):
    other = UserFactory(username="coordinator-b", organisation=None, role="")
    Coordinator.objects.create(partnership=council_b.partnership, user=other)
    client.force_login(other)
    assert client.get(projection_url(world)).status_code == 404


def test_a_lead_that_has_left_is_refused(client, world):
    """Access is decided today: an executive of a lead partner that has left does not
    see the partnership at all."""
    Membership.objects.filter(organisation=world.council_a.organisation).update(
        left_on=timezone.localdate()
    )
    client.force_login(world.council_a.executive)
    assert client.get(projection_url(world)).status_code == 404


# ---------------------------------------------------------------- nothing is saved


@pytest.mark.parametrize("persona", ALLOWED)
def test_a_projection_saves_nothing(client, world, persona):
    client_for(client, world.persona(persona))
    models = (
        Membership,
        Assessment,
        Answer,
        FundingFormula,
        FundingSignOff,
        FundingShare,
        ProjectionConsent,
        Organisation,
    )
    counts = {model.__name__: model.objects.count() for model in models}
    before = state()

    response = client.get(projection_url(world))

    assert response.status_code == 200
    assert "This is a projection" in response.text
    assert "Nothing is saved" in response.text
    assert PROJECTION_HEADING in response.text
    assert {model.__name__: model.objects.count() for model in models} == counts
    assert state() == before
    # The partnership's own report is unchanged: Bexley Vale is still a member.
    report = client.get(reverse("assessments:partnership_report", args=[world.round.pk]))
    assert "Bexley Vale Council" in report.text
    assert "Brambleton Council" not in report.text


# ---------------------------------------------------------------- no evidence, no comments


@pytest.mark.parametrize("consent", [False, True], ids=["no-consent", "consent"])
@pytest.mark.parametrize("persona", ALLOWED)
def test_no_evidence_or_comment_in_any_response(client, world, persona, consent):
    if consent:
        ProjectionConsent.objects.create(organisation=world.candidate)
    client_for(client, world.persona(persona))
    urls = [
        projection_url(world),
        what_if_url(world.round, add=[world.candidate.pk]),
        what_if_url(world.round, remove=[world.bexley.pk]),
        projection_url(world, q="Bramble"),
        what_if_url(world.round, q="Brambleton"),
        what_if_url(world.round),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET_EVIDENCE not in response.text, url
        assert SECRET_COMMENT not in response.text, url
    # The projection was shown, with the candidate in it.
    shown = client.get(projection_url(world)).text
    assert PROJECTION_HEADING in shown
    assert "Adding Brambleton Council and removing Bexley Vale Council" in shown


# ---------------------------------------------------------------- consent


def test_without_consent_the_candidates_scores_do_not_appear(client, world):
    client.force_login(world.council_a.executive)

    withheld = client.get(projection_url(world)).text
    ProjectionConsent.objects.create(organisation=world.candidate)
    shown = client.get(projection_url(world)).text

    inset = (
        "Brambleton Council has not agreed to show its scores in other partnerships' "
        "projections, so this projection shows only the verdict and the number of gaps."
    )
    assert unescape(re.sub(r"\s+", " ", withheld)).count(inset) == 1
    assert WEAKEST_TABLE not in withheld
    assert "Brambleton Council:" not in withheld  # never named as weakest
    assert "Gaps the change would add" not in withheld
    assert "Overall score" not in withheld
    # The verdicts and gap counts are still there.
    assert "Verdict" in withheld and "Critical gaps" in withheld
    # With consent, the same page shows them (so the checks above can fail): at level 1
    # everywhere Brambleton is the weakest partner on every dimension.
    assert "has not agreed to show" not in shown
    assert WEAKEST_TABLE in shown
    assert "Brambleton Council:" in shown
    assert "Gaps the change would add" in shown
    assert "Overall score" in shown


def test_a_candidate_without_an_assessment_is_shown_as_not_assessed(client, world):
    newcomer = OrganisationFactory(name="Newcomer Housing Trust")
    client.force_login(world.council_a.executive)

    page = client.get(what_if_url(world.round, add=[newcomer.pk])).text

    assert "Newcomer Housing Trust has no submitted assessment of this framework" in page
    assert "has not agreed to show" not in page
    assert WEAKEST_TABLE in page


# ---------------------------------------------------------------- bad input


def _bad_inputs(world):
    outsiders = [OrganisationFactory(name=f"Outsider {n:02d}") for n in range(21)]
    missing = Organisation.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    members = [world.council_a.organisation.pk, world.bexley.pk]
    return {
        "add-not-a-number": (
            {"add": ["abc"]},
            "Choose organisations to add from the search results",
        ),
        "add-no-such-organisation": (
            {"add": [missing]},
            "Choose organisations to add from the search results",
        ),
        "add-too-large-a-number": (
            {"add": ["99999999999999999999999"]},
            "Choose organisations to add from the search results",
        ),
        "add-a-superscript-digit": (
            {"add": ["\u00b2"]},  # "²": str.isdigit() says yes, int() says no
            "Choose organisations to add from the search results",
        ),
        "add-a-member": (
            {"add": [world.bexley.pk]},
            "Choose organisations to add from the search results",
        ),
        "remove-a-non-member": (
            {"remove": [world.candidate.pk]},
            "Choose members to remove from the list",
        ),
        "remove-not-a-number": (
            {"remove": ["abc"]},
            "Choose members to remove from the list",
        ),
        "more-than-20-adds": (
            {"add": [o.pk for o in outsiders]},
            "Choose 20 organisations to add or fewer",
        ),
        "remove-every-member": ({"remove": members}, "Keep at least one member"),
        "search-with-a-null-character": ({"q": "Bram\x00ble"}, "Null characters are not allowed."),
    }


BAD_INPUTS = [
    "add-not-a-number",
    "add-no-such-organisation",
    "add-too-large-a-number",
    "add-a-superscript-digit",
    "add-a-member",
    "remove-a-non-member",
    "remove-not-a-number",
    "more-than-20-adds",
    "remove-every-member",
    "search-with-a-null-character",
]


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_refused_with_a_plain_message(client, world, case):
    params, message = _bad_inputs(world)[case]
    client.force_login(world.council_a.executive)
    before = state()

    response = client.get(what_if_url(world.round, **params))

    assert response.status_code == 400
    assert error_messages(response.text) == [message]
    assert PROJECTION_HEADING not in response.text
    assert state() == before


def test_twenty_adds_are_allowed(client, world):
    outsiders = [OrganisationFactory(name=f"Outsider {n:02d}") for n in range(20)]
    client.force_login(world.council_a.executive)

    response = client.get(what_if_url(world.round, add=[o.pk for o in outsiders]))

    assert response.status_code == 200
    assert error_messages(response.text) == []
    assert PROJECTION_HEADING in response.text


# ---------------------------------------------------------------- search


def test_search_lists_matching_non_members_as_checkboxes(client, world):
    vale = OrganisationFactory(name="Vale of White Horse District Council", gss_code="E07000180")
    client.force_login(world.council_a.executive)

    by_name = client.get(what_if_url(world.round, q="vale")).text
    by_code = client.get(what_if_url(world.round, q="E07000180")).text
    nothing = client.get(what_if_url(world.round, q="Nowhere at all")).text

    # Bexley Vale is a member: offered for removal, never for adding.
    assert checkbox_values(by_name, "add") == [str(vale.pk)]
    assert str(world.bexley.pk) in checkbox_values(by_name, "remove")
    assert "Vale of White Horse District Council (unitary authority, not assessed)" in by_name
    assert checkbox_values(by_code, "add") == [str(vale.pk)]
    assert checkbox_values(nothing, "add") == []
    assert "No organisation that is not already a member matches" in nothing


def test_a_chosen_organisation_stays_ticked_while_searching_for_another(client, world):
    vale = OrganisationFactory(name="Vale of White Horse District Council")
    client.force_login(world.council_a.executive)

    page = client.get(what_if_url(world.round, add=[world.candidate.pk], q="vale")).text

    assert checkbox_values(page, "add") == [str(world.candidate.pk), str(vale.pk)]
    assert "Brambleton Council (unitary authority, assessed elsewhere)" in page


def test_organisation_names_are_escaped(client, world):
    hostile = OrganisationFactory(name="<script>alert(1)</script> Council")
    client.force_login(world.council_a.executive)

    found = client.get(what_if_url(world.round, q="alert"))
    projected = client.get(what_if_url(world.round, add=[hostile.pk]))

    for response in (found, projected):
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Council" in response.text
    assert checkbox_values(found.text, "add") == [str(hostile.pk)]
    assert PROJECTION_HEADING in projected.text


# ---------------------------------------------------------------- the report's link


@pytest.mark.parametrize(
    ("persona", "which", "shown"),
    [
        ("lead_executive", "open", True),
        ("coordinator", "open", True),
        ("administrator", "open", True),
        ("ict_manager", "open", False),
        ("member_executive", "open", False),
        ("lead_executive", "closed", False),
        ("coordinator", "closed", False),
        ("administrator", "closed", False),
    ],
)
def test_the_partnership_report_links_to_the_page(client, world, persona, which, shown):
    round_ = world.round if which == "open" else world.closed_round
    client_for(client, world.persona(persona))

    response = client.get(reverse("assessments:partnership_report", args=[round_.pk]))

    assert response.status_code == 200
    link = f'href="{reverse("assessments:what_if", args=[round_.pk])}"'
    assert (LINK_TEXT in response.text) is shown
    assert (link in response.text) is shown


# ---------------------------------------------------------------- caching


@pytest.mark.parametrize("persona", ALLOWED)
def test_responses_are_never_stored(client, world, persona):
    client_for(client, world.persona(persona))
    for url, status in (
        (projection_url(world), 200),
        (what_if_url(world.round), 200),
        (what_if_url(world.round, add=["abc"]), 400),
    ):
        response = client.get(url)
        assert response.status_code == status
        assert "no-store" in response["Cache-Control"]


# ---------------------------------------------------------------- query count


@pytest.mark.parametrize("members", [3, 10])
def test_the_page_makes_a_fixed_number_of_queries(
    client, council_a, council_b, framework, members, django_assert_num_queries
):
    partnership, round_ = council_a.partnership, council_a.round
    organisations = [council_a.organisation]
    assess(round_, council_a.organisation, level=3)
    for n in range(members - 1):
        organisation = add_partner(partnership, f"Partner {n:02d}")
        assess(round_, organisation, level=n % 5)
        organisations.append(organisation)
    sign_funding(partnership, organisations[: members // 2])
    assess(council_b.round, council_b.organisation, level=2)
    ProjectionConsent.objects.create(organisation=council_b.organisation)
    newcomer = OrganisationFactory(name="Newcomer Council")
    client.force_login(council_a.executive)
    url = what_if_url(
        round_, add=[council_b.organisation.pk, newcomer.pk], remove=[organisations[-1].pk]
    )

    # session, user (with organisation); the round (with partnership and framework) and
    # whether the user is its lead executive; the partnership's memberships (for the
    # form, and given to the projection); the organisations chosen to add (for the
    # form's choices); then the projection's other eight: questions, this round's
    # assessments, the organisations to add, their assessments elsewhere, the levels,
    # the formula, its sign-offs, its shares
    with django_assert_num_queries(14):
        response = client.get(url)

    assert response.status_code == 200
    assert PROJECTION_HEADING in response.text
    assert f'<td class="govuk-table__cell">{members}</td>' in response.text
