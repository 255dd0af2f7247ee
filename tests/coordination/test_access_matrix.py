"""Who gets which coordinator page: every page in coordination/urls.py (with real object
ids) × every persona × GET and POST, as one table, so a failure names the page, the
persona and the method.

- the partnership's coordinator and an administrator are let in: the page (200), a
  form with errors for an empty POST (400), or a redirect (302);
- a coordinator of another partnership, and the ICT manager and executive of a member
  who are not coordinators, get 404 (the partnership is loaded through
  `get_partnership_to_coordinate`, which does not reveal it), and nothing changes even
  when they POST what would otherwise succeed;
- an anonymous visitor is sent to the sign-in page;
- pages that only take POST answer 405 to a GET, whoever asks.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Round
from identity.models import EventKind, SecurityEvent
from partnerships.models import Coordinator, Membership, Organisation, Role, User
from tests.builders import add_partner, assess
from tests.conftest import client_for
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

ALLOWED = ("coordinator", "administrator")
DENIED = ("other_coordinator", "ict_manager", "executive")
PERSONAS = (*ALLOWED, *DENIED, "anonymous")


def date_fields(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


@dataclass
class World:
    council_a: object
    council_b: object
    coordinator: User
    other_coordinator: User
    member: Organisation
    membership: Membership
    candidate: Organisation
    assessment: Assessment
    invitee: User
    person: User

    @property
    def partnership(self):
        return self.council_a.partnership

    def persona(self, name):
        return {
            "coordinator": self.coordinator,
            "other_coordinator": self.other_coordinator,
            "ict_manager": self.council_a.ict_manager,
            "executive": self.council_a.executive,
            "anonymous": None,
        }[name]


@pytest.fixture
def world(council_a, council_b, administrator):
    """Council A's partnership, run by its coordinator, with a second member (with a
    submitted assessment, a person who has signed in and one invited who has not), an
    organisation that is not a member yet; council B's partnership has its own
    coordinator."""
    coordinator = UserFactory(
        username="coordinator-a", organisation=council_a.organisation, role=""
    )
    Coordinator.objects.create(partnership=council_a.partnership, user=coordinator)
    other_coordinator = UserFactory(
        username="coordinator-b", organisation=council_b.organisation, role=""
    )
    Coordinator.objects.create(partnership=council_b.partnership, user=other_coordinator)
    member = add_partner(council_a.partnership, "Cherwell District Council")
    invitee = UserFactory(
        username="invited@cherwell.example", email="invited@cherwell.example", organisation=member
    )
    invitee.set_unusable_password()
    invitee.save()
    return World(
        council_a=council_a,
        council_b=council_b,
        coordinator=coordinator,
        other_coordinator=other_coordinator,
        member=member,
        membership=Membership.objects.get(partnership=council_a.partnership, organisation=member),
        candidate=OrganisationFactory(name="Candidate District Council", gss_code="E07000999"),
        assessment=assess(council_a.round, member, level=3),
        invitee=invitee,
        person=UserFactory(username="signed-in", organisation=member, last_login=timezone.now()),
    )


# A form sent with every field blank, as a browser sends it: never an empty body, since
# the CSRF token is always there (the test client does not check it). A body with no
# fields at all is read as no submission (`request.POST or None`) and shows the form.
BLANK_FORM = {"csrfmiddlewaretoken": "blank-form"}


def csv_file(text: str, name: str = "people.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@dataclass(frozen=True)
class Page:
    name: str
    # The URL's arguments after the partnership's pk, from the world.
    args: object = lambda w: []
    # What the partnership's coordinator and an administrator get.
    get: int = 200
    post_empty: int = 400
    # What would succeed if the persona were allowed: sent by the denied personas.
    valid: object = lambda w: {}
    post_only: bool = False

    def __str__(self):
        return self.name


PAGES = [
    # Pages with nothing to POST show themselves.
    Page("partnership", post_empty=200),
    Page("find_organisation", post_empty=200),
    Page(
        "add_member",
        args=lambda w: [w.candidate.pk],
        valid=lambda w: date_fields("joined_on", timezone.localdate()),
    ),
    Page(
        "new_organisation",
        valid=lambda w: {
            "name": "Brand New Council",
            "kind": "district",
            "gss_code": "E07000888",
            **date_fields("joined_on", timezone.localdate()),
        },
    ),
    Page(
        "end_membership",
        args=lambda w: [w.membership.pk],
        valid=lambda w: date_fields("left_on", timezone.localdate()),
    ),
    Page("lead", valid=lambda w: {"membership": w.membership.pk}),
    Page(
        "open_round",
        valid=lambda w: {
            "name": "2027 review",
            "framework": w.council_a.round.framework_id,
            **date_fields("closes_on", timezone.localdate() + timedelta(days=30)),
        },
    ),
    # A confirmation page: POST closes the round.
    Page("close_round", args=lambda w: [w.council_a.round.pk], post_empty=302),
    Page(
        "reopen",
        args=lambda w: [w.assessment.pk],
        valid=lambda w: {"reason": "Corrected answers"},
    ),
    Page(
        "invite",
        valid=lambda w: {
            "organisation": w.membership.pk,
            "first_name": "Imogen",
            "last_name": "Thorne",
            "email": "imogen@cherwell.example",
            "role": Role.ICT_MANAGER,
        },
    ),
    Page(
        "invite_many",
        valid=lambda w: {
            "file": csv_file(
                "organisation,email,role,first_name,last_name\n"
                f"{w.member.name},new.person@cherwell.example,ict_manager,New,Person\n"
            )
        },
    ),
    # Without a previewed upload in the session, back to the upload page.
    Page("invite_many_confirm", post_only=True, get=405, post_empty=302),
    Page("resend", args=lambda w: [w.invitee.pk], post_only=True, get=405, post_empty=302),
    Page("cancel", args=lambda w: [w.invitee.pk], post_empty=302),
    Page("deactivate", args=lambda w: [w.person.pk], post_empty=302),
    Page("add_coordinator", valid=lambda w: {"email": w.person.email}),
]


def state():
    """Everything a coordinator's page can change."""
    return {
        "organisations": Organisation.objects.count(),
        "memberships": sorted(
            Membership.objects.values_list("pk", "organisation_id", "role", "joined_on", "left_on")
        ),
        "rounds": sorted(Round.objects.values_list("pk", "name", "status", "closes_on")),
        "assessments": sorted(Assessment.objects.values_list("pk", "status")),
        "users": sorted(User.objects.values_list("pk", "is_active", "date_joined")),
        "coordinators": sorted(Coordinator.objects.values_list("partnership_id", "user_id")),
        "changes": SecurityEvent.objects.filter(
            kind__in=[EventKind.PARTNERSHIP_CHANGED, EventKind.REOPENED]
        ).count(),
        "emails": len(mail.outbox),
    }


def error_messages(html: str) -> list[str]:
    """The messages listed in the page's GOV.UK error summary, as text."""
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    items = re.findall(r"<li>(.*?)</li>", found.group(1), re.S) if found else []
    return [unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def sent_to_sign_in(response) -> bool:
    location = urlsplit(response.headers.get("Location", ""))
    return response.status_code == 302 and location.path == reverse("login")


CASES = [
    pytest.param(page, persona, method, id=f"{page.name}-{persona}-{method}")
    for page in PAGES
    for persona in PERSONAS
    for method in ("GET", "POST")
]


@pytest.mark.parametrize(("page", "persona", "method"), CASES)
def test_who_gets_each_coordinator_page(client, world, administrator, page, persona, method):
    user = administrator if persona == "administrator" else world.persona(persona)
    client_for(client, user)
    url = reverse(f"coordination:{page.name}", args=[world.partnership.pk, *page.args(world)])
    before = state()

    if persona == "anonymous":
        data = page.valid(world) if method == "POST" else None
        response = client.post(url, data) if method == "POST" else client.get(url)
        assert sent_to_sign_in(response), response.status_code
        assert state() == before
        return

    if method == "GET":
        response = client.get(url)
        expected = page.get if persona in ALLOWED or page.post_only else 404
        assert response.status_code == expected
        assert state() == before
        return

    if persona in ALLOWED:
        response = client.post(url, BLANK_FORM)
        assert response.status_code == page.post_empty
        if response.status_code == 400:
            assert error_messages(response.text), "no message in the error summary"
        return

    response = client.post(url, page.valid(world))
    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(page, id=page.name)
        for page in PAGES
        if page.name not in {"partnership", "find_organisation", "invite_many_confirm"}
    ],
)
def test_what_the_denied_personas_send_succeeds_for_the_coordinator(client, world, page):
    """The data the denied personas send changes something for the coordinator, so
    "nothing changed" above means they were refused, not that the data was wrong."""
    client_for(client, world.coordinator)
    url = reverse(f"coordination:{page.name}", args=[world.partnership.pk, *page.args(world)])
    before = state()
    response = client.post(url, page.valid(world))
    if page.name == "invite_many":
        # The preview: nothing changes until it is confirmed.
        assert response.status_code == 200
        assert "Check the 1 people to invite" in response.text
        assert state() == before
        return
    assert response.status_code == 302
    assert state() != before


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_of_partnerships_to_coordinate(client, world, administrator, persona, method):
    """Everyone signed in gets the list, of only the partnerships they may run."""
    user = administrator if persona == "administrator" else world.persona(persona)
    client_for(client, user)
    url = reverse("coordination:partnerships")
    before = state()
    response = client.get(url) if method == "GET" else client.post(url, BLANK_FORM)
    assert state() == before
    if persona == "anonymous":
        assert sent_to_sign_in(response)
        return
    assert response.status_code == 200
    shown = {
        name
        for name in (world.partnership.name, world.council_b.partnership.name)
        if name in response.text
    }
    expected = {
        "coordinator": {world.partnership.name},
        "other_coordinator": {world.council_b.partnership.name},
        "administrator": {world.partnership.name, world.council_b.partnership.name},
        "ict_manager": set(),
        "executive": set(),
    }[persona]
    assert shown == expected


OBJECT_PAGES = [
    ("end_membership", lambda w: [w.membership.pk]),
    ("close_round", lambda w: [w.council_a.round.pk]),
    ("reopen", lambda w: [w.assessment.pk]),
    ("cancel", lambda w: [w.invitee.pk]),
    ("deactivate", lambda w: [w.person.pk]),
    ("resend", lambda w: [w.invitee.pk]),
]


@pytest.mark.parametrize(("name", "args"), OBJECT_PAGES, ids=[name for name, _ in OBJECT_PAGES])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_another_partnerships_objects_through_ones_own_partnership_are_404(
    client, world, name, args, method
):
    """Council B's coordinator, at B's own pages, with the ids of A's membership,
    round, assessment and people."""
    client_for(client, world.other_coordinator)
    url = reverse(f"coordination:{name}", args=[world.council_b.partnership.pk, *args(world)])
    before = state()
    response = client.get(url) if method == "GET" else client.post(url, {"reason": "x"})
    assert response.status_code == (405 if (name, method) == ("resend", "GET") else 404)
    assert state() == before
