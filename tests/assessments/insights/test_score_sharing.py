"""The score sharing page (/organisation/score-sharing/): an organisation's executives
decide whether its dimension scores may appear in other partnerships' projections.
Anyone else is refused; every change is on the security log."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from assessments.insights.models import ProjectionConsent
from assessments.insights.services import set_score_sharing
from identity.models import SecurityEvent
from partnerships.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("assessments:score_sharing")


def radios(html: str) -> dict[str, bool]:
    """The share radios: value -> whether it is checked."""
    tags = re.findall(r"<input\s[^>]*type=\"radio\"[^>]*>", html)
    return {
        re.search(r'value="([^"]*)"', tag)[1]: "checked" in tag
        for tag in tags
        if 'name="share"' in tag
    }


def sharing_events():
    return SecurityEvent.objects.filter(kind="sharing_changed")


def test_the_url_is_the_organisations_own():
    assert URL == "/organisation/score-sharing/"


def test_an_executive_sees_the_choice_with_no_as_the_default(client, council_a):
    client.force_login(council_a.executive)
    response = client.get(URL)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.text
    assert "Sharing your scores in projections" in html
    assert "Avonford Council" in html
    assert radios(html) == {"yes": False, "no": True}
    assert "Can other partnerships see your dimension scores" in html
    assert "Allowed on" not in html


def test_saying_yes_then_no_records_the_consent_and_its_removal(client, council_a, council_b):
    client.force_login(council_a.executive)

    response = client.post(URL, {"share": "yes"})

    assert response.status_code == 302 and response["Location"] == URL
    consent = ProjectionConsent.objects.get()
    assert consent.organisation == council_a.organisation
    assert consent.allowed_by == council_a.executive
    event = sharing_events().get()
    assert event.actor == council_a.executive and event.user == council_a.executive
    assert event.organisation == council_a.organisation
    assert event.detail.startswith("Allowed other partnerships' projections")
    assert "Avonford Council" in event.detail

    page = client.get(URL)
    assert "now show Avonford Council&#x27;s scores" in page.text  # the success message
    assert f"by {council_a.executive.get_full_name()}" in page.text
    assert radios(page.text) == {"yes": True, "no": False}

    # Saying yes again changes nothing and logs nothing.
    client.post(URL, {"share": "yes"})
    assert ProjectionConsent.objects.get().pk == consent.pk
    assert sharing_events().count() == 1

    response = client.post(URL, {"share": "no"})

    assert response.status_code == 302
    assert not ProjectionConsent.objects.exists()
    assert sharing_events().count() == 2
    stopped = sharing_events().order_by("-at", "-pk").first()
    assert stopped.actor == council_a.executive
    assert stopped.detail.startswith("Stopped other partnerships' projections")
    assert "no longer show" in client.get(URL).text

    # No again: nothing to change, nothing logged. Council B's choice was never touched.
    client.post(URL, {"share": "no"})
    assert sharing_events().count() == 2
    assert not ProjectionConsent.objects.filter(organisation=council_b.organisation).exists()


def test_one_executives_choice_is_for_their_organisation_only(client, council_a, council_b):
    client.force_login(council_b.executive)
    client.post(URL, {"share": "yes"})
    assert ProjectionConsent.objects.get().organisation == council_b.organisation
    client.force_login(council_a.executive)
    client.post(URL, {"share": "no"})
    assert ProjectionConsent.objects.get().organisation == council_b.organisation


@pytest.mark.parametrize("persona", ["ict_manager", "administrator", "no_role"])
def test_only_executives_may_see_or_change_it(client, council_a, administrator, persona):
    user = {
        "ict_manager": council_a.ict_manager,
        "administrator": administrator,  # staff, but of no organisation
        "no_role": UserFactory(organisation=council_a.organisation, role=""),
    }[persona]
    client.force_login(user)

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"share": "yes"}).status_code == 403

    assert not ProjectionConsent.objects.exists()
    assert not sharing_events().exists()
    with pytest.raises(PermissionDenied):
        set_score_sharing(user=user, allowed=True)
    assert not ProjectionConsent.objects.exists()


def test_an_executive_of_no_organisation_is_refused(client):
    executive = UserFactory(organisation=None, role=Role.EXECUTIVE)
    client.force_login(executive)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"share": "yes"}).status_code == 403
    assert not ProjectionConsent.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, council_a):
    for response in (client.get(URL), client.post(URL, {"share": "yes"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert "next=/organisation/score-sharing/" in response["Location"]
    assert not ProjectionConsent.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"share": ""}, {"share": "maybe"}],
    ids=["nothing posted", "empty choice", "unknown choice"],
)
def test_no_choice_is_an_error_and_changes_nothing(client, council_a, data):
    """A POST with no fields at all is a POST too: it must be refused with the error,
    not shown as if the page had been opened (a `request.POST or None` form would be
    left unbound by an empty POST, and answer 200 with no error)."""
    ProjectionConsent.objects.create(
        organisation=council_a.organisation, allowed_by=council_a.executive
    )
    client.force_login(council_a.executive)

    response = client.post(URL, data)

    assert response.status_code == 400
    html = response.text
    assert "govuk-error-summary" in html and "There is a problem" in html
    if not data.get("share"):
        assert "Choose whether other partnerships can see your scores" in html
    assert "no-store" in response["Cache-Control"]
    assert ProjectionConsent.objects.filter(organisation=council_a.organisation).exists()
    assert not sharing_events().exists()


def test_a_post_without_the_csrf_token_is_refused(council_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(council_a.executive)

    assert client.post(URL, {"share": "yes"}).status_code == 403
    assert not ProjectionConsent.objects.exists()
    assert not sharing_events().exists()

    # With the token from the page, the same post is accepted.
    client.get(URL)
    token = client.cookies["csrftoken"].value
    response = client.post(URL, {"share": "yes", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert ProjectionConsent.objects.filter(organisation=council_a.organisation).exists()
