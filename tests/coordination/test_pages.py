"""What the coordinator's pages do and say: members, rounds, reopening, invitations
(one at a time and from a file), turning accounts off, coordinators, what a
coordinator never sees, the record of changes, and what the overview costs."""

import re
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.models import (
    Answer,
    AssessmentReopening,
    AssessmentStatus,
    Round,
    RoundStatus,
)
from identity.models import EventKind, SecurityEvent
from partnerships.models import (
    Coordinator,
    Membership,
    MembershipRole,
    Organisation,
    Role,
    User,
)
from tests.builders import assess
from tests.factories import (
    AssessmentFactory,
    FundingFormulaFactory,
    FundingSignOffFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def date_fields(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def long_date(day) -> str:
    return f"{day.day} {day:%B %Y}"


def error_messages(html: str) -> list[str]:
    """The messages listed in the page's GOV.UK error summary, as text."""
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    items = re.findall(r"<li>(.*?)</li>", found.group(1), re.S) if found else []
    return [unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def banners(html: str) -> list[str]:
    """The notification banners' messages (messages framework)."""
    return [
        unescape(text).strip()
        for text in re.findall(r'govuk-notification-banner__heading">(.*?)</p>', html, re.S)
    ]


def section(html: str, heading: str) -> str:
    """The overview from an <h2> to the next one."""
    start = html.index(f'<h2 class="govuk-heading-m">{heading}</h2>')
    end = html.find('<h2 class="govuk-heading-m">', start + 1)
    return html[start : end if end != -1 else len(html)]


@dataclass
class Run:
    council: object
    coordinator: User
    member: Organisation
    membership: Membership

    @property
    def partnership(self):
        return self.council.partnership

    def url(self, name, *args, partnership=None):
        return reverse(f"coordination:{name}", args=[(partnership or self.partnership).pk, *args])


@pytest.fixture
def run(client, council_a):
    """Avonford's partnership (Avonford the lead) with Cherwell as a member since 400
    days ago, its coordinator (Avonford's programme manager) signed in."""
    coordinator = UserFactory(
        username="coordinator",
        email="cora.ordinator@avonford.example",
        first_name="Cora",
        last_name="Ordinator",
        organisation=council_a.organisation,
        role="",
    )
    Coordinator.objects.create(partnership=council_a.partnership, user=coordinator)
    member = OrganisationFactory(
        name="Cherwell District Council", kind="district", gss_code="E07000177"
    )
    membership = MembershipFactory(
        partnership=council_a.partnership,
        organisation=member,
        joined_on=TODAY() - timedelta(days=400),
    )
    client.force_login(coordinator)
    return Run(council_a, coordinator, member, membership)


def pending(organisation, email) -> User:
    """Someone invited who has not chosen a password or signed in."""
    person = UserFactory(username=email, email=email, organisation=organisation)
    person.set_unusable_password()
    person.save()
    return person


# --- Adding members -------------------------------------------------------------------


def test_search_by_name_finds_only_organisations_that_are_not_members(client, run):
    outsider = OrganisationFactory(name="West Cherwell Council", gss_code="E07000901")
    former = OrganisationFactory(name="Old Cherwell Council", gss_code="E07000902")
    MembershipFactory(
        partnership=run.partnership,
        organisation=former,
        joined_on=TODAY() - timedelta(days=300),
        left_on=TODAY() - timedelta(days=10),
    )
    OrganisationFactory(name="Banbury Town Council", gss_code="E07000903")

    page = client.get(run.url("find_organisation"), {"q": "  cherwell "})

    assert page.status_code == 200
    offered = set(re.findall(r"/members/add/(\d+)/", page.text))
    assert offered == {str(outsider.pk), str(former.pk)}


def test_search_by_gss_code_finds_the_organisation_but_not_a_member(client, run):
    outsider = OrganisationFactory(name="South Oxfordshire", gss_code="E07000179")

    found = client.get(run.url("find_organisation"), {"q": "e07000179"})
    assert re.findall(r"/members/add/(\d+)/", found.text) == [str(outsider.pk)]

    member = client.get(run.url("find_organisation"), {"q": run.member.gss_code})
    assert re.findall(r"/members/add/(\d+)/", member.text) == []
    assert "No organisation that is not already a member matches" in member.text


def test_an_empty_search_says_what_to_enter(client, run):
    page = client.get(run.url("find_organisation"), {"q": " "})
    assert error_messages(page.text) == ["Enter part of a name, or a GSS code"]


def test_adding_a_member_sets_the_day_it_joins(client, run):
    newcomer = OrganisationFactory(name="South Oxfordshire", gss_code="E07000179")
    joins = TODAY() + timedelta(days=14)

    response = client.post(run.url("add_member", newcomer.pk), date_fields("joined_on", joins))

    assert response.status_code == 302
    assert response.url == run.url("partnership")
    membership = Membership.objects.get(partnership=run.partnership, organisation=newcomer)
    assert (membership.joined_on, membership.left_on, membership.role) == (
        joins,
        None,
        MembershipRole.MEMBER,
    )


def test_adding_an_organisation_that_is_already_a_member_is_refused(client, run):
    response = client.post(run.url("add_member", run.member.pk), date_fields("joined_on", TODAY()))

    assert response.status_code == 400
    assert error_messages(response.text) == [
        "Cherwell District Council is already a member of Avonford Council partnership"
    ]
    run.membership.refresh_from_db()
    assert run.membership.joined_on == TODAY() - timedelta(days=400)


def test_adding_a_member_that_is_due_to_leave_is_refused(client, run):
    """A member with a leaving day still to come is a member today: "adding" it again
    must not rewrite the day it joined (its history)."""
    run.membership.left_on = TODAY() + timedelta(days=30)
    run.membership.save()

    response = client.post(run.url("add_member", run.member.pk), date_fields("joined_on", TODAY()))

    assert response.status_code == 400
    assert error_messages(response.text) == [
        "Cherwell District Council is already a member of Avonford Council partnership"
    ]
    run.membership.refresh_from_db()
    assert run.membership.joined_on == TODAY() - timedelta(days=400)


def test_a_former_member_comes_back_on_its_old_row(client, run):
    run.membership.left_on = TODAY() - timedelta(days=30)
    run.membership.save()
    rejoins = TODAY() - timedelta(days=2)

    response = client.post(run.url("add_member", run.member.pk), date_fields("joined_on", rejoins))

    assert response.status_code == 302
    rows = list(Membership.objects.filter(partnership=run.partnership, organisation=run.member))
    assert [(row.pk, row.joined_on, row.left_on) for row in rows] == [
        (run.membership.pk, rejoins, None)
    ]


def new_organisation(**changes):
    return {
        "name": "Vale of White Horse District Council",
        "kind": "district",
        "gss_code": "E07000180",
        "region": "South East",
        **date_fields("joined_on", TODAY()),
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param(
            {"gss_code": "X07000180"},
            "Enter a GSS code as a letter E, W, S or N followed by 8 digits, like E06000001",
            id="invalid-gss-code",
        ),
        pytest.param(
            {"gss_code": "E0700"},
            "Enter a GSS code as a letter E, W, S or N followed by 8 digits, like E06000001",
            id="short-gss-code",
        ),
        pytest.param(
            {"gss_code": "E07000177"},
            "An organisation with the GSS code E07000177 exists. Search for it",
            id="duplicate-gss-code",
        ),
        pytest.param(
            {"gss_code": " e07000177 "},
            "An organisation with the GSS code E07000177 exists. Search for it",
            id="duplicate-gss-code-in-lower-case",
        ),
        pytest.param(
            {"name": "  cherwell   DISTRICT council ", "gss_code": ""},
            "An organisation called cherwell DISTRICT council exists. Search for it",
            id="duplicate-name",
        ),
        pytest.param(
            {"name": ""},
            "Enter the organisation's name",
            id="no-name",
        ),
        pytest.param({"kind": ""}, "Choose the kind of organisation", id="no-kind"),
    ],
)
def test_a_new_organisation_is_checked_and_nothing_is_made(client, run, changes, message):
    organisations = Organisation.objects.count()
    memberships = Membership.objects.count()

    response = client.post(run.url("new_organisation"), new_organisation(**changes))

    assert response.status_code == 400
    assert error_messages(response.text) == [message]
    assert Organisation.objects.count() == organisations
    assert Membership.objects.count() == memberships
    assert not SecurityEvent.objects.filter(kind=EventKind.PARTNERSHIP_CHANGED).exists()


def test_a_new_organisation_becomes_a_member(client, run):
    joins = TODAY() - timedelta(days=3)

    response = client.post(
        run.url("new_organisation"),
        new_organisation(name=" Vale of  White Horse ", **date_fields("joined_on", joins)),
    )

    assert response.status_code == 302
    organisation = Organisation.objects.get(gss_code="E07000180")
    assert (organisation.name, organisation.kind, organisation.region) == (
        "Vale of White Horse",
        "district",
        "South East",
    )
    membership = Membership.objects.get(partnership=run.partnership, organisation=organisation)
    assert (membership.joined_on, membership.left_on) == (joins, None)


def test_a_gss_code_typed_in_lower_case_is_accepted(client, run):
    """The form upper-cases the code (`clean_gss_code`), as the search does, so a code
    typed in lower case is the same code."""
    response = client.post(run.url("new_organisation"), new_organisation(gss_code=" e07000180 "))

    assert response.status_code == 302, error_messages(response.text)
    assert Organisation.objects.filter(gss_code="E07000180").exists()


# --- Ending memberships and the lead partner -------------------------------------------


def test_a_membership_cannot_end_before_it_began(client, run):
    joined = run.membership.joined_on

    response = client.post(
        run.url("end_membership", run.membership.pk),
        date_fields("left_on", joined - timedelta(days=1)),
    )

    assert response.status_code == 400
    assert error_messages(response.text) == [
        f"Enter a date on or after it joined, {long_date(joined)}"
    ]
    run.membership.refresh_from_db()
    assert run.membership.left_on is None


def test_the_lead_partner_cannot_be_ended(client, run):
    lead = Membership.objects.get(partnership=run.partnership, role=MembershipRole.LEAD)

    response = client.post(run.url("end_membership", lead.pk), date_fields("left_on", TODAY()))

    assert response.status_code == 400
    assert error_messages(response.text) == [
        "Choose another lead partner first: a partnership needs its lead"
    ]
    lead.refresh_from_db()
    assert lead.left_on is None


def test_ending_a_membership_takes_the_member_off_the_overview(client, run):
    before = section(client.get(run.url("partnership")).text, "Members")
    assert "Cherwell District Council" in before

    response = client.post(
        run.url("end_membership", run.membership.pk), date_fields("left_on", TODAY())
    )

    assert response.status_code == 302
    run.membership.refresh_from_db()
    assert run.membership.left_on == TODAY()
    after = client.get(run.url("partnership"))
    assert "Cherwell District Council" not in section(after.text, "Members")
    assert "1 current member<" in section(after.text, "Members")
    # Already ended: its end page is gone.
    assert client.get(run.url("end_membership", run.membership.pk)).status_code == 404


def test_changing_the_lead_leaves_exactly_one_lead(client, run):
    response = client.post(run.url("lead"), {"membership": run.membership.pk})

    assert response.status_code == 302
    leads = Membership.objects.filter(partnership=run.partnership, role=MembershipRole.LEAD)
    assert list(leads.values_list("organisation__name", flat=True)) == ["Cherwell District Council"]


def test_a_former_member_cannot_be_made_the_lead(client, run):
    run.membership.left_on = TODAY() - timedelta(days=1)
    run.membership.save()

    response = client.post(run.url("lead"), {"membership": run.membership.pk})

    assert response.status_code == 400
    assert error_messages(response.text)
    assert list(
        Membership.objects.filter(partnership=run.partnership, role=MembershipRole.LEAD)
    ) == [
        Membership.objects.get(partnership=run.partnership, organisation=run.council.organisation)
    ]


# --- Rounds and reopening -------------------------------------------------------------


def open_round_form(run, name="2027 review", closes_on=None):
    return {
        "name": name,
        "framework": run.council.round.framework_id,
        **date_fields("closes_on", closes_on or TODAY() + timedelta(days=30)),
    }


def test_a_round_cannot_close_in_the_past(client, run):
    response = client.post(
        run.url("open_round"), open_round_form(run, closes_on=TODAY() - timedelta(days=1))
    )

    assert response.status_code == 400
    assert error_messages(response.text) == ["The closing date must be today or in the future"]
    assert not Round.objects.filter(name="2027 review").exists()


def test_a_round_name_is_used_once_in_a_partnership(client, run):
    response = client.post(run.url("open_round"), open_round_form(run, name=" 2026  review "))

    assert response.status_code == 400
    assert error_messages(response.text) == ["This partnership already has a round with this name"]
    assert Round.objects.filter(partnership=run.partnership).count() == 1


def test_opening_a_round(client, run):
    closes = TODAY() + timedelta(days=45)

    response = client.post(run.url("open_round"), open_round_form(run, closes_on=closes))

    assert response.status_code == 302
    round_ = Round.objects.get(partnership=run.partnership, name="2027 review")
    assert (round_.status, round_.closes_on) == (RoundStatus.OPEN, closes)


def test_closing_a_round_names_the_members_with_drafts_then_closes_it(client, run):
    late = OrganisationFactory(name="Late District Council", gss_code="E07000904")
    MembershipFactory(partnership=run.partnership, organisation=late)
    assess(run.council.round, run.member, level=3)
    AssessmentFactory(round=run.council.round, organisation=late)
    round_ = run.council.round

    page = client.get(run.url("close_round", round_.pk))

    assert page.status_code == 200
    listed = page.text.split("These members have not submitted", 1)[1].split("</ul>", 1)[0]
    assert "Late District Council" in listed
    assert "Cherwell District Council" not in listed
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN

    closed = client.post(run.url("close_round", round_.pk))

    assert closed.status_code == 302
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED
    # Closed: there is nothing left to close.
    assert client.get(run.url("close_round", round_.pk)).status_code == 404


def test_only_submitted_assessments_of_the_partnership_can_be_reopened(client, run, council_b):
    draft = AssessmentFactory(round=run.council.round, organisation=run.council.organisation)
    elsewhere = assess(council_b.round, council_b.organisation)
    submitted = assess(run.council.round, run.member)

    assert client.get(run.url("reopen", draft.pk)).status_code == 404
    assert client.post(run.url("reopen", draft.pk), {"reason": "x"}).status_code == 404
    assert client.get(run.url("reopen", elsewhere.pk)).status_code == 404
    assert client.post(run.url("reopen", elsewhere.pk), {"reason": "x"}).status_code == 404
    # Through the partnership it belongs to, run by someone else: still 404.
    assert (
        client.get(run.url("reopen", elsewhere.pk, partnership=council_b.partnership)).status_code
        == 404
    )
    assert client.get(run.url("reopen", submitted.pk)).status_code == 200
    elsewhere.refresh_from_db()
    assert elsewhere.status == AssessmentStatus.SUBMITTED


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_needs_a_reason(client, run, reason):
    submitted = assess(run.council.round, run.member)

    response = client.post(run.url("reopen", submitted.pk), {"reason": reason})

    assert response.status_code == 400
    assert error_messages(response.text) == ["Enter why the assessment needs to be reopened"]
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED


def test_reopening_records_the_reason(client, run):
    submitted = assess(run.council.round, run.member)

    response = client.post(run.url("reopen", submitted.pk), {"reason": "Wrong federation answers"})

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.DRAFT
    reopening = AssessmentReopening.objects.get(assessment=submitted)
    assert (reopening.reopened_by, reopening.reason) == (
        run.coordinator,
        "Wrong federation answers",
    )


# --- Invitations ----------------------------------------------------------------------


def invitation(run, **changes):
    return {
        "organisation": run.membership.pk,
        "first_name": "Imogen",
        "last_name": "Thorne",
        "email": "imogen.thorne@cherwell.example",
        "role": Role.ICT_MANAGER,
        "job_title": "ICT Manager",
        **changes,
    }


def test_inviting_someone_whose_email_has_an_account_is_refused(client, run):
    taken = run.council.ict_manager.email.upper()

    response = client.post(run.url("invite"), invitation(run, email=taken))

    assert response.status_code == 400
    assert error_messages(response.text) == [
        "Someone with this email address already has an account"
    ]
    assert mail.outbox == []
    assert not User.objects.filter(email__iexact=taken).exclude(pk=run.council.ict_manager.pk)


def test_inviting_for_an_organisation_that_is_not_a_current_member_is_refused(
    client, run, council_b
):
    other = Membership.objects.get(partnership=council_b.partnership)
    former = MembershipFactory(
        partnership=run.partnership,
        organisation=OrganisationFactory(name="Gone Council", gss_code="E07000905"),
        joined_on=TODAY() - timedelta(days=90),
        left_on=TODAY() - timedelta(days=1),
    )
    users = User.objects.count()

    for membership in (other, former):
        response = client.post(run.url("invite"), invitation(run, organisation=membership.pk))
        assert response.status_code == 400
        assert error_messages(response.text) == [
            "Select a valid choice. That choice is not one of the available choices."
        ]
    response = client.post(run.url("invite"), invitation(run, organisation="not a number"))
    assert response.status_code == 400

    assert User.objects.count() == users
    assert mail.outbox == []


def test_inviting_someone(client, run):
    response = client.post(run.url("invite"), invitation(run))

    assert response.status_code == 302
    person = User.objects.get(email="imogen.thorne@cherwell.example")
    assert (person.organisation, person.role, person.has_usable_password()) == (
        run.member,
        Role.ICT_MANAGER,
        False,
    )
    assert [message.to for message in mail.outbox] == [["imogen.thorne@cherwell.example"]]
    overview = client.get(run.url("partnership"))
    assert "imogen.thorne@cherwell.example" in section(overview.text, "Invitations waiting")


def test_an_invitation_can_be_sent_again(client, run):
    client.post(run.url("invite"), invitation(run))
    person = User.objects.get(email="imogen.thorne@cherwell.example")

    response = client.post(run.url("resend", person.pk))

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [
        ["imogen.thorne@cherwell.example"],
        ["imogen.thorne@cherwell.example"],
    ]


def test_cancelling_an_invitation_removes_the_account(client, run):
    person = pending(run.member, "imogen.thorne@cherwell.example")

    confirm = client.get(run.url("cancel", person.pk))
    assert confirm.status_code == 200
    assert User.objects.filter(pk=person.pk).exists()

    response = client.post(run.url("cancel", person.pk))

    assert response.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()


@pytest.mark.parametrize("how", ["signed in", "chose a password"])
def test_an_accepted_invitation_cannot_be_resent_or_cancelled(client, run, how):
    person = pending(run.member, "imogen.thorne@cherwell.example")
    if how == "signed in":
        person.last_login = timezone.now()
    else:
        person.set_password("a-password-of-their-own")
    person.save()

    resent = client.post(run.url("resend", person.pk), follow=True)
    assert mail.outbox == []
    assert "This person has already accepted the invitation" in banners(resent.text)
    # A refusal, not announced as a success.
    assert "govuk-notification-banner--success" not in resent.text

    cancelled = client.post(run.url("cancel", person.pk), follow=True)
    assert "This person has already accepted the invitation" in banners(cancelled.text)
    assert "govuk-notification-banner--success" not in cancelled.text
    assert User.objects.filter(pk=person.pk, is_active=True).exists()


# --- Turning accounts off -------------------------------------------------------------


def test_turning_off_the_account_of_someone_at_a_member(client, run):
    person = UserFactory(organisation=run.member, last_login=timezone.now())

    assert client.get(run.url("deactivate", person.pk)).status_code == 200
    response = client.post(run.url("deactivate", person.pk))

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_active is False


def test_no_account_is_turned_off_when_its_organisation_is_in_a_partnership_not_run(
    client, run, council_b
):
    """Brambleton is a member of Avonford's partnership and of its own, which this
    coordinator does not run."""
    MembershipFactory(partnership=run.partnership, organisation=council_b.organisation)
    person = council_b.ict_manager

    assert client.get(run.url("deactivate", person.pk)).status_code == 403
    assert client.post(run.url("deactivate", person.pk)).status_code == 403
    person.refresh_from_db()
    assert person.is_active is True


def test_no_account_is_turned_off_when_the_person_coordinates_a_partnership_not_run(
    client, run, council_b
):
    person = UserFactory(organisation=run.member)
    Coordinator.objects.create(partnership=council_b.partnership, user=person)

    assert client.post(run.url("deactivate", person.pk)).status_code == 403
    person.refresh_from_db()
    assert person.is_active is True


def test_an_administrators_account_is_not_turned_off(client, run):
    staff = UserFactory(organisation=run.member, is_staff=True)

    assert client.get(run.url("deactivate", staff.pk)).status_code == 403
    assert client.post(run.url("deactivate", staff.pk)).status_code == 403
    staff.refresh_from_db()
    assert staff.is_active is True


def test_the_coordinator_cannot_turn_off_their_own_account(client, run):
    assert client.get(run.url("deactivate", run.coordinator.pk)).status_code == 403
    assert client.post(run.url("deactivate", run.coordinator.pk)).status_code == 403
    run.coordinator.refresh_from_db()
    assert run.coordinator.is_active is True


# --- Coordinators ---------------------------------------------------------------------


def test_adding_a_coordinator_by_email(client, run):
    person = UserFactory(email="sam.patel@cherwell.example", organisation=run.member)

    response = client.post(run.url("add_coordinator"), {"email": "Sam.Patel@Cherwell.example"})

    assert response.status_code == 302
    coordinator = Coordinator.objects.get(partnership=run.partnership, user=person)
    assert coordinator.added_by == run.coordinator
    assert client.get(run.url("partnership")).status_code == 200


@pytest.mark.parametrize("active", [False, None], ids=["turned-off", "unknown"])
def test_a_coordinator_must_have_an_active_account(client, run, active):
    if active is not None:
        UserFactory(email="sam.patel@cherwell.example", organisation=run.member, is_active=False)
    coordinators = Coordinator.objects.count()

    response = client.post(run.url("add_coordinator"), {"email": "sam.patel@cherwell.example"})

    assert response.status_code == 400
    assert error_messages(response.text) == [
        "Nobody with this email address has an account. Invite them first, or ask an administrator"
    ]
    assert Coordinator.objects.count() == coordinators


# --- Never evidence or comments -------------------------------------------------------

EVIDENCE = "EVIDENCE-7c1f: the firewall rules spreadsheet"
COMMENT = "COMMENT-9d2e: our supplier contract ends in May"


def test_a_coordinator_never_sees_evidence_or_comments(client, council_a):
    """A coordinator from outside the partnership (no member organisation of their
    own) sees statuses and scores on every page, never a member's words."""
    partnership = council_a.partnership
    outside = OrganisationFactory(name="Programme Office", gss_code=None)
    coordinator = UserFactory(organisation=outside, role="")
    Coordinator.objects.create(partnership=partnership, user=coordinator)
    member = OrganisationFactory(name="Cherwell District Council", gss_code="E07000177")
    membership = MembershipFactory(
        partnership=partnership, organisation=member, joined_on=TODAY() - timedelta(days=400)
    )
    submitted = assess(council_a.round, member, level=3)
    draft = assess(council_a.round, council_a.organisation, status=AssessmentStatus.DRAFT)
    Answer.objects.filter(assessment__in=[submitted, draft]).update(
        evidence=EVIDENCE, comment=COMMENT
    )
    person = UserFactory(organisation=member, last_login=timezone.now())
    invited = pending(member, "invited@cherwell.example")
    candidate = OrganisationFactory(name="Candidate Council", gss_code="E07000906")
    client.force_login(coordinator)

    def url(name, *args):
        return reverse(f"coordination:{name}", args=[partnership.pk, *args])

    pages = [
        reverse("coordination:partnerships"),
        url("partnership"),
        url("find_organisation") + "?q=council",
        url("add_member", candidate.pk),
        url("new_organisation"),
        url("end_membership", membership.pk),
        url("lead"),
        url("open_round"),
        url("close_round", council_a.round.pk),
        url("reopen", submitted.pk),
        url("invite"),
        url("invite_many"),
        url("cancel", invited.pk),
        url("deactivate", person.pk),
        url("add_coordinator"),
        reverse("assessments:partnership_report", args=[council_a.round.pk]),
        reverse("assessments:dashboard"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "EVIDENCE-7c1f" not in response.text, page
        assert "COMMENT-9d2e" not in response.text, page
    assert "Cherwell District Council" in client.get(pages[-2]).text

    for assessment in (submitted, draft):
        report = reverse("assessments:organisation_report", args=[assessment.pk])
        assert client.get(report).status_code == 404


# --- The record of changes ------------------------------------------------------------


def _add_member(client, run):
    newcomer = OrganisationFactory(name="South Oxfordshire", gss_code="E07000179")
    return client.post(run.url("add_member", newcomer.pk), date_fields("joined_on", TODAY()))


def _new_organisation(client, run):
    return client.post(run.url("new_organisation"), new_organisation())


def _end_membership(client, run):
    return client.post(
        run.url("end_membership", run.membership.pk), date_fields("left_on", TODAY())
    )


def _lead(client, run):
    return client.post(run.url("lead"), {"membership": run.membership.pk})


def _open_round(client, run):
    return client.post(run.url("open_round"), open_round_form(run))


def _close_round(client, run):
    return client.post(run.url("close_round", run.council.round.pk))


def _reopen(client, run):
    submitted = assess(run.council.round, run.member)
    return client.post(run.url("reopen", submitted.pk), {"reason": "Wrong answers"})


def _invite(client, run):
    return client.post(run.url("invite"), invitation(run))


def _resend(client, run):
    person = pending(run.member, "imogen.thorne@cherwell.example")
    return client.post(run.url("resend", person.pk))


def _cancel(client, run):
    person = pending(run.member, "imogen.thorne@cherwell.example")
    return client.post(run.url("cancel", person.pk))


def _deactivate(client, run):
    person = UserFactory(organisation=run.member, email="leaver@cherwell.example")
    return client.post(run.url("deactivate", person.pk))


def _add_coordinator(client, run):
    UserFactory(email="sam.patel@cherwell.example", organisation=run.member)
    return client.post(run.url("add_coordinator"), {"email": "sam.patel@cherwell.example"})


def _invite_many(client, run):
    preview = upload(
        client, run, "E07000177,imogen.thorne@cherwell.example,ict_manager,Imogen,Thorne\n"
    )
    return client.post(run.url("invite_many_confirm"), {"token": token_in(preview)})


CHANGES = [
    (_add_member, "Added South Oxfordshire as a member"),
    (_new_organisation, "Added Vale of White Horse District Council as a member"),
    (_end_membership, "Ended the membership of Cherwell District Council"),
    (_lead, "Made Cherwell District Council the lead partner"),
    (_open_round, "2027 review"),
    (_close_round, "2026 review"),
    (_reopen, "Cherwell District Council"),
    (_invite, "Invited imogen.thorne@cherwell.example"),
    (_resend, "imogen.thorne@cherwell.example"),
    (_cancel, "imogen.thorne@cherwell.example"),
    (_deactivate, "leaver@cherwell.example"),
    (_add_coordinator, "a coordinator"),
    (_invite_many, "Invited imogen.thorne@cherwell.example"),
]


@pytest.mark.parametrize(
    ("change", "mentions"), CHANGES, ids=[change.__name__.strip("_") for change, _ in CHANGES]
)
def test_every_change_is_on_the_record_and_in_recent_changes(client, run, change, mentions):
    response = change(client, run)
    assert response.status_code == 302

    # Reopenings keep their own kind in the security log; they are changes all the same.
    events = SecurityEvent.objects.filter(
        kind__in=[EventKind.PARTNERSHIP_CHANGED, EventKind.REOPENED], partnership=run.partnership
    )
    assert [(event.actor, mentions in event.detail) for event in events] == [
        (run.coordinator, True)
    ]
    recent = section(client.get(run.url("partnership")).text, "Recent changes")
    assert unescape(events[0].detail) in unescape(recent)
    assert "Cora Ordinator" in recent


# --- Inviting many people from a file --------------------------------------------------

HEADER = "organisation,email,role,first_name,last_name,job_title\n"


def csv_upload(content, name="people.csv"):
    raw = content if isinstance(content, bytes) else content.encode()
    return SimpleUploadedFile(name, raw, content_type="text/csv")


def upload(client, run, rows, header=HEADER):
    return client.post(run.url("invite_many"), {"file": csv_upload(header + rows)})


def token_in(page) -> str:
    return re.search(r'name="token" value="([^"]+)"', page.text).group(1)


def preview_rows(html: str) -> list[list[str]]:
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return [
        [unescape(cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


@pytest.fixture
def second_member(run):
    organisation = OrganisationFactory(name="West Oxfordshire District Council", gss_code=None)
    MembershipFactory(partnership=run.partnership, organisation=organisation)
    return organisation


def test_a_file_is_previewed_and_nobody_is_invited_until_confirmed(client, run, second_member):
    users = User.objects.count()
    rows = (
        "e07000177,Ruth.Ashdown@cherwell.example,ict_manager,Ruth,Ashdown,ICT Manager\n"
        "  west oxfordshire   district COUNCIL ,omar.haddad@westox.example,executive,Omar,"
        "Haddad,Chief Executive\n"
        "\n"
        "Avonford Council,li.wei@avonford.example,ICT Manager,Li,Wei,\n"
    )

    preview = upload(client, run, rows)

    assert preview.status_code == 200
    assert preview_rows(preview.text) == [
        ["2", "Ruth Ashdown", "ruth.ashdown@cherwell.example", "Cherwell District Council",
         "ICT manager"],
        ["3", "Omar Haddad", "omar.haddad@westox.example", "West Oxfordshire District Council",
         "Executive (chief executive or finance director)"],
        ["5", "Li Wei", "li.wei@avonford.example", "Avonford Council", "ICT manager"],
    ]  # fmt: skip
    assert "Invite all 3 people" in preview.text
    assert User.objects.count() == users
    assert mail.outbox == []

    confirmed = client.post(run.url("invite_many_confirm"), {"token": token_in(preview)})

    assert confirmed.status_code == 302
    assert confirmed.url == run.url("partnership")
    invited = {
        person.email: (person.organisation.name, person.role, person.job_title)
        for person in User.objects.filter(email__endswith=".example").exclude(pk=run.coordinator.pk)
    }
    assert invited == {
        "ruth.ashdown@cherwell.example": (
            "Cherwell District Council", "ict_manager", "ICT Manager"
        ),
        "omar.haddad@westox.example": (
            "West Oxfordshire District Council", "executive", "Chief Executive"
        ),
        "li.wei@avonford.example": ("Avonford Council", "ict_manager", ""),
    }  # fmt: skip
    assert sorted(message.to[0] for message in mail.outbox) == sorted(invited)
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert not any(User.objects.get(email=email).has_usable_password() for email in invited)


def test_every_problem_in_a_file_is_listed_by_line_and_nobody_is_invited(client, run):
    taken = run.council.ict_manager.email
    rows = (
        "Nowhere Council,a@nowhere.example,ict_manager,Ann,Able\n"
        "E07000177,not-an-email,ict_manager,Bob,Baker\n"
        "E07000177,dup@cherwell.example,executive,Cat,Cole\n"
        "E07000177,DUP@cherwell.example,executive,Dan,Dale\n"
        f"E07000177,{taken},ict_manager,Eve,Eden\n"
        "E07000177,f@cherwell.example,manager,Fay,Ford\n"
        "E07000177,g@cherwell.example,executive,,\n"
        "E07000177,fine@cherwell.example,executive,Hal,Hart\n"
    )
    users = User.objects.count()

    response = upload(client, run, rows)

    assert response.status_code == 400
    assert error_messages(response.text) == [
        "Line 2: Nowhere Council is not a current member of Avonford Council partnership. "
        "Use a member's GSS code or name as the overview shows it",
        "Line 3: not-an-email is not an email address like name@council.gov.uk",
        "Line 5: dup@cherwell.example is also on line 4",
        f"Line 6: {taken} already has an account",
        "Line 7: the role must be ict_manager or executive",
        "Line 8: enter a first name",
        "Line 8: enter a last name",
    ]
    assert "The file cannot be used: nobody was invited" in response.text
    assert User.objects.count() == users
    assert mail.outbox == []
    assert client.post(run.url("invite_many_confirm"), {"token": ""}).status_code == 302
    assert User.objects.count() == users


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            b"organisation,email,first_name,last_name\nE07000177,a@b.example,A,B\n",
            "Line 1: the header has no role column. The first row must name the columns: "
            "organisation,email,role,first_name,last_name,job_title (job_title may be left out)",
            id="missing-column",
        ),
        pytest.param(
            HEADER.encode() + "E07000177,zoë@cherwell.example,executive,Zoë,Öz\n".encode("latin-1"),
            "The file is not text saved as UTF-8. Save it as CSV UTF-8 and try again",
            id="not-utf-8",
        ),
        pytest.param(
            HEADER.encode("utf-16"),
            "The file is not text saved as UTF-8. Save it as CSV UTF-8 and try again",
            id="utf-16",
        ),
        pytest.param(b"", "The file is empty", id="empty-file"),
        pytest.param(
            HEADER.encode() + b"\n,,,,,\n",
            "The file has no people in it, only a header",
            id="header-only",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(client, run, raw, message):
    users = User.objects.count()

    response = client.post(run.url("invite_many"), {"file": csv_upload(raw)})

    assert response.status_code == 400
    assert message in error_messages(response.text)
    assert User.objects.count() == users
    assert mail.outbox == []


def test_confirming_twice_invites_nobody_the_second_time(client, run):
    preview = upload(client, run, "E07000177,ruth@cherwell.example,ict_manager,Ruth,Ashdown,\n")
    token = token_in(preview)
    first = client.post(run.url("invite_many_confirm"), {"token": token})
    assert first.status_code == 302
    users, emails = User.objects.count(), len(mail.outbox)
    assert emails == 1

    again = client.post(run.url("invite_many_confirm"), {"token": token})

    assert again.status_code == 302
    assert again.url == run.url("invite_many")
    assert (User.objects.count(), len(mail.outbox)) == (users, emails)


def test_a_wrong_token_invites_nobody(client, run):
    upload(client, run, "E07000177,ruth@cherwell.example,ict_manager,Ruth,Ashdown,\n")

    response = client.post(run.url("invite_many_confirm"), {"token": "guessed"})

    assert response.status_code == 302
    assert not User.objects.filter(email="ruth@cherwell.example").exists()


def test_a_file_is_checked_again_when_confirmed(client, run):
    """Someone takes an email address between the preview and the confirmation."""
    preview = upload(
        client,
        run,
        "E07000177,ruth@cherwell.example,ict_manager,Ruth,Ashdown,\n"
        "E07000177,omar@cherwell.example,executive,Omar,Haddad,\n",
    )
    UserFactory(email="omar@cherwell.example", username="omar@cherwell.example")

    response = client.post(run.url("invite_many_confirm"), {"token": token_in(preview)})

    assert response.status_code == 409
    assert error_messages(response.text)[0].startswith("Nobody was invited")
    assert not User.objects.filter(email="ruth@cherwell.example").exists()
    assert mail.outbox == []


def test_a_73_member_partnership_invites_150_people_from_a_file(client, run):
    members = [run.council.organisation, run.member] + [
        OrganisationFactory(name=f"Member {n:02d} Council", gss_code=f"E08{n:06d}")
        for n in range(71)
    ]
    Membership.objects.bulk_create(
        Membership(partnership=run.partnership, organisation=organisation)
        for organisation in members[2:]
    )
    assert Membership.objects.current().filter(partnership=run.partnership).count() == 73
    rows = "".join(
        f"{members[n % 73].gss_code if n % 2 else members[n % 73].name},"
        f"person{n}@members.example,{'executive' if n % 3 else 'ict_manager'},Person,{n},\n"
        for n in range(150)
    )

    preview = upload(client, run, rows)

    assert preview.status_code == 200
    assert len(preview_rows(preview.text)) == 150
    assert not User.objects.filter(email__endswith="@members.example").exists()

    confirmed = client.post(run.url("invite_many_confirm"), {"token": token_in(preview)})

    assert confirmed.status_code == 302
    invited = User.objects.filter(email__endswith="@members.example")
    assert invited.count() == 150
    assert {person.organisation_id for person in invited} == {m.pk for m in members}
    assert len(mail.outbox) == 150
    assert len({message.to[0] for message in mail.outbox}) == 150


# --- Error summaries on the form pages ------------------------------------------------

FORM_PAGES = [
    ("add_member", lambda run: [OrganisationFactory(gss_code="E07000907").pk]),
    ("new_organisation", lambda run: []),
    ("end_membership", lambda run: [run.membership.pk]),
    ("lead", lambda run: []),
    ("open_round", lambda run: []),
    ("reopen", lambda run: [assess(run.council.round, run.member).pk]),
    ("invite", lambda run: []),
    ("invite_many", lambda run: []),
    ("add_coordinator", lambda run: []),
]


@pytest.mark.parametrize(("name", "args"), FORM_PAGES, ids=[name for name, _ in FORM_PAGES])
def test_a_form_page_shows_an_error_summary_only_for_errors(client, run, name, args):
    """GOV.UK: no error summary on a page with no errors; with errors, "There is a
    problem" above the messages, and "Error: " before the page title."""
    url = run.url(name, *args(run))

    page = client.get(url)
    assert page.status_code == 200
    assert "govuk-error-summary" not in page.text
    assert "<title>Error:" not in page.text

    blank = client.post(url, {"csrfmiddlewaretoken": "blank"})
    assert blank.status_code == 400
    assert error_messages(blank.text)
    assert "<title>Error:" in blank.text
    title = re.search(r'govuk-error-summary__title">(.*?)</h2>', blank.text, re.S).group(1)
    assert title.strip() in {"There is a problem", "The file cannot be used: nobody was invited"}


# --- What the overview costs ----------------------------------------------------------

# The overview's queries, whatever the number of members (counted by running it):
#  1. the session
#  2. the signed-in user, with their organisation
#  3. the partnership, among those the user may coordinate
#  4. the current memberships, with their organisations
#  5. the people of those organisations
#  6. the partnership's rounds, with their frameworks
#  7. the members' assessments in the open rounds
#  8. the latest funding formula
#  9. the organisations that signed it
# 10. the coordinators, with their users
# 11. the latest changes, with who made them
# 12-14. whom the viewer may turn off: that they coordinate this partnership, members'
#     organisations also in partnerships they do not run, people coordinating elsewhere
OVERVIEW_QUERIES = 14


def build_members(run, count):
    """`count` members in all (with Cherwell), each with an ICT manager who has signed
    in, an executive invited and an assessment in the open round; a funding formula
    signed by half of them, and a change on the record."""
    organisations = [run.member] + [
        OrganisationFactory(name=f"Member {n:02d} Council", gss_code=f"E08{n:06d}")
        for n in range(count - 1)
    ]
    Membership.objects.bulk_create(
        Membership(partnership=run.partnership, organisation=organisation)
        for organisation in organisations[1:]
    )
    formula = FundingFormulaFactory(partnership=run.partnership)
    for n, organisation in enumerate(organisations):
        UserFactory(organisation=organisation, last_login=timezone.now())
        executive = UserFactory(organisation=organisation, role=Role.EXECUTIVE)
        if n % 2:
            FundingSignOffFactory(formula=formula, organisation=organisation, signed_by=executive)
        else:
            executive.set_unusable_password()
            executive.save()
        AssessmentFactory(round=run.council.round, organisation=organisation, submitted=n % 2)
    SecurityEvent.objects.create(
        kind=EventKind.PARTNERSHIP_CHANGED,
        partnership=run.partnership,
        actor=run.coordinator,
        detail="Something changed",
    )


@pytest.mark.parametrize("members", [5, 40])
def test_the_overview_costs_the_same_queries_whatever_the_members(
    client, run, members, django_assert_num_queries
):
    build_members(run, members)
    client.get(run.url("partnership"))  # anything cached once per process

    with django_assert_num_queries(OVERVIEW_QUERIES):
        page = client.get(run.url("partnership"))

    assert page.status_code == 200
    assert f"{members + 1} current members" in page.text
