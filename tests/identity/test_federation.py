"""Who may sign in through an organisation's identity provider (identity.federation),
without a provider: the claims are what a verified ID token would hold."""

import pytest

from identity.federation import SignInRefused, admit, claims_verified, link_for_email
from identity.models import IdentityProvider, OrganisationSignIn
from identity.services import save_link
from partnerships.models import Role, User
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "sam.okafor@cherwell.gov.uk"


def make_provider(slug="oxfordshire", **fields):
    return IdentityProvider.objects.create(
        name=fields.pop("name", "Oxfordshire Entra ID"),
        slug=slug,
        issuer_url="https://login.example/tenant/v2.0",
        client_id=f"client-{slug}",
        client_secret="not-a-real-secret",
        **fields,
    )


def make_link(organisation, provider, domains="cherwell.gov.uk", **options):
    return OrganisationSignIn.objects.create(
        organisation=organisation, provider=provider, email_domains=domains, **options
    )


def claims(email=EMAIL, **more):
    return {"sub": "entra-object-id", "email": email, "email_verified": True, **more}


@pytest.fixture
def cherwell():
    return OrganisationFactory(name="Cherwell District Council")


@pytest.fixture
def provider():
    return make_provider()


@pytest.fixture
def link(cherwell, provider):
    return make_link(cherwell, provider)


@pytest.fixture
def invited(cherwell):
    return UserFactory(username=EMAIL, email=EMAIL, organisation=cherwell, role=Role.ICT_MANAGER)


def refusal(**admit_kwargs) -> str:
    with pytest.raises(SignInRefused) as refused:
        admit(**admit_kwargs)
    return str(refused.value)


# Which link an email address leads to.


def test_an_email_in_the_linked_domain_finds_the_link(link):
    assert link_for_email(EMAIL) == link


@pytest.mark.parametrize(
    "email",
    [
        "sam@notcherwell.gov.uk",
        "sam@cherwell.gov.uk.evil.example",
        "sam@it.cherwell.gov.uk",
        "sam@gov.uk",
        "cherwell.gov.uk",
        "sam@",
        "",
    ],
)
def test_only_the_exact_domain_finds_the_link(link, email):
    assert link_for_email(email) is None


def test_a_domain_that_ends_like_a_linked_one_does_not_borrow_its_link(provider, cherwell):
    make_link(OrganisationFactory(name="Not Cherwell"), provider, domains="notcherwell.gov.uk")
    assert link_for_email(EMAIL) is None


def test_the_email_is_matched_whatever_its_case_and_surrounding_spaces(link):
    assert link_for_email("Sam.Okafor@CHERWELL.Gov.UK") == link
    assert link_for_email("  sam.okafor@cherwell.gov.uk ") == link


def test_each_of_several_domains_on_one_link_finds_it(cherwell, provider, administrator):
    link = save_link(
        link=OrganisationSignIn(
            organisation=cherwell,
            provider=provider,
            email_domains="Cherwell.gov.uk, @southandvale.gov.uk oxfordshire.gov.uk",
        ),
        user=administrator,
    )
    assert link.domains == ["cherwell.gov.uk", "southandvale.gov.uk", "oxfordshire.gov.uk"]
    for email in ("a@cherwell.gov.uk", "b@southandvale.gov.uk", "c@OXFORDSHIRE.gov.uk"):
        assert link_for_email(email) == link
    assert link_for_email("d@vale.gov.uk") is None


def test_each_organisation_gets_its_own_domain_from_the_same_provider(provider, link):
    south = make_link(OrganisationFactory(name="South Oxfordshire"), provider, "southoxon.gov.uk")
    assert link_for_email("a@southoxon.gov.uk") == south
    assert link_for_email("a@cherwell.gov.uk") == link


# Whether the email is verified.


@pytest.mark.parametrize(
    "given",
    [
        {"email_verified": True},
        {"email_verified": "true"},
        {"xms_edov": True},
        {"xms_edov": "True"},
    ],
)
def test_the_provider_vouches_for_the_email_with_email_verified_or_entras_xms_edov(given):
    assert claims_verified(given) is True


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"email_verified": False},
        {"email_verified": "false"},
        {"email_verified": 1},
        {"email_verified": "yes"},
        {"xms_edov": False},
        {"xms_edov": "false"},
    ],
)
def test_anything_else_is_an_unverified_email(given):
    assert claims_verified(given) is False


# Refusals.


def test_an_email_in_a_domain_no_organisation_links_is_refused_naming_the_domain(provider, link):
    message = refusal(
        provider=provider, claims=claims("someone@elsewhere.example"), linked_user=None
    )
    assert "@elsewhere.example" in message
    assert provider.name in message


def test_a_lookalike_domain_is_refused(provider, link):
    message = refusal(
        provider=provider, claims=claims("sam@cherwell.gov.uk.evil.example"), linked_user=None
    )
    assert "@cherwell.gov.uk.evil.example" in message


def test_no_email_in_the_claims_is_refused_with_what_to_ask_for(provider, link):
    message = refusal(
        provider=provider, claims={"sub": "x", "email_verified": True}, linked_user=None
    )
    assert "email" in message and "IT team" in message


def test_another_providers_domain_is_refused_even_with_a_verified_email(provider, link, invited):
    # A token from another tenant that claims a Cherwell address does not get in.
    other = make_provider(slug="someone-elses-tenant", name="Someone else's tenant")
    message = refusal(provider=other, claims=claims(), linked_user=None)
    assert "@cherwell.gov.uk" in message


def test_an_unverified_email_is_not_linked_to_the_invited_account(provider, link, invited):
    message = refusal(provider=provider, claims=claims(email_verified=False), linked_user=None)
    assert EMAIL in message and "has not confirmed" in message


def test_an_unverified_email_is_not_linked_to_a_password_account_found_by_username(
    provider, link, cherwell
):
    UserFactory(username=EMAIL.upper(), email="", organisation=cherwell)
    with pytest.raises(SignInRefused):
        admit(provider=provider, claims=claims(email_verified=False), linked_user=None)


def test_a_person_who_signed_in_before_is_refused_once_the_link_is_revoked(provider, link, invited):
    assert admit(provider=provider, claims=claims(), linked_user=invited).how == "existing"
    link.delete()
    message = refusal(provider=provider, claims=claims(), linked_user=invited)
    assert "@cherwell.gov.uk" in message


def test_a_turned_off_provider_refuses_even_a_person_who_signed_in_before(provider, link, invited):
    provider.is_active = False
    provider.save()
    with pytest.raises(SignInRefused):
        admit(provider=provider, claims=claims(), linked_user=invited)
    with pytest.raises(SignInRefused):
        admit(provider=provider, claims=claims(), linked_user=None)


def test_an_account_of_another_organisation_is_not_linked(provider, link):
    UserFactory(username=EMAIL, email=EMAIL, organisation=OrganisationFactory(name="Elsewhere"))
    message = refusal(provider=provider, claims=claims(), linked_user=None)
    assert "different organisation" in message


def test_a_linked_account_moved_to_another_organisation_is_refused(provider, link, invited):
    invited.organisation = OrganisationFactory(name="Elsewhere")
    invited.save()
    message = refusal(provider=provider, claims=claims(), linked_user=invited)
    assert "different organisation" in message


def test_a_turned_off_account_is_refused(provider, link, invited):
    invited.is_active = False
    invited.save()
    message = refusal(provider=provider, claims=claims(), linked_user=None)
    assert "turned off" in message


# Admissions.


def test_an_invited_person_with_a_verified_email_is_linked(provider, link, invited):
    admission = admit(provider=provider, claims=claims(), linked_user=None)
    assert (admission.user, admission.link, admission.how) == (invited, link, "linked")


def test_the_invited_account_is_found_whatever_the_case_of_its_email(provider, link, cherwell):
    person = UserFactory(
        username="sokafor", email="Sam.Okafor@Cherwell.gov.uk", organisation=cherwell
    )
    admission = admit(provider=provider, claims=claims(EMAIL.upper()), linked_user=None)
    assert admission.user == person


def test_entras_xms_edov_counts_as_a_verified_email_for_linking(provider, link, invited):
    entra_claims = {"sub": "oid", "email": EMAIL, "xms_edov": True}
    assert admit(provider=provider, claims=entra_claims, linked_user=None).user == invited


def test_a_person_linked_before_needs_no_verified_email(provider, link, invited):
    admission = admit(provider=provider, claims=claims(email_verified=False), linked_user=invited)
    assert (admission.user, admission.how) == (invited, "existing")


# Accounts made on first sign-in (just in time).


def test_a_new_person_gets_an_unsaved_account_with_no_role_when_the_link_allows_it(
    provider, cherwell
):
    make_link(cherwell, provider, just_in_time_accounts=True)
    users_before = User.objects.count()

    admission = admit(
        provider=provider,
        claims=claims("New.Person@Cherwell.gov.uk", given_name="New", family_name="Person"),
        linked_user=None,
    )

    user = admission.user
    assert admission.how == "created"
    assert user.pk is None and User.objects.count() == users_before  # the caller saves it
    assert (user.username, user.email) == ("new.person@cherwell.gov.uk",) * 2
    assert (user.first_name, user.last_name) == ("New", "Person")
    assert user.organisation == cherwell
    assert user.role == ""
    assert not user.has_usable_password()
    assert not user.is_staff and not user.is_superuser


def test_a_new_person_is_refused_and_told_to_ask_for_an_invitation_when_the_link_does_not_allow_it(
    provider, link, cherwell
):
    users_before = User.objects.count()
    message = refusal(provider=provider, claims=claims(), linked_user=None)
    assert "invite" in message and cherwell.name in message
    assert User.objects.count() == users_before


def test_a_new_person_with_an_unverified_email_gets_no_account_even_when_the_link_allows_it(
    provider, cherwell
):
    make_link(cherwell, provider, just_in_time_accounts=True)
    users_before = User.objects.count()
    message = refusal(provider=provider, claims=claims(email_verified=False), linked_user=None)
    assert "invite" in message
    assert User.objects.count() == users_before


def test_an_unverified_xms_edov_does_not_make_an_account(provider, cherwell):
    make_link(cherwell, provider, just_in_time_accounts=True)
    with pytest.raises(SignInRefused):
        admit(
            provider=provider,
            claims={"sub": "oid", "email": EMAIL, "xms_edov": False},
            linked_user=None,
        )
