"""Every admin changelist and add page loads for an administrator and is closed to
everyone else."""

import pytest
from django.contrib import admin
from django.urls import reverse

from partnerships.models import Organisation, Role
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

# Records only the app writes (sign-in attempts, assessments and their answers, answer
# history, reopenings, funding formulas and sign-offs, actions, which change only through
# their pages) have no add page.
READ_ONLY = {
    "assessment",
    "answer",
    "framework",
    "fundingformula",
    "fundingsignoff",
    "accessattempt",
    "accesslog",
    "accessfailurelog",
    "answerchange",
    "assessmentreopening",
    "roundreopening",
    "action",
    "notification",
    "dbtaskresult",  # django-tasks-db's task records, written by the queue
    "securityevent",
    "socialaccount",  # accounts linked to an identity provider, made at sign-in
    "benchmarkswitch",  # one row, made by the migration: changed, never added
    "peerbenchmark",  # computed from the submissions
    "projectionconsent",  # given by an organisation's executives on their own page
}
ADMIN_PAGES = [
    (model._meta.app_label, model._meta.model_name, page)
    for model in admin.site._registry
    for page in (("changelist",) if model._meta.model_name in READ_ONLY else ("changelist", "add"))
]


def page_url(app_label, model_name, page):
    return reverse(f"admin:{app_label}_{model_name}_{page}")


def test_every_model_of_the_domain_is_in_the_admin():
    registered = {model.__name__ for model in admin.site._registry}
    assert {
        "Organisation",
        "Partnership",
        "Membership",
        "User",
        "FundingFormula",
        "FundingSignOff",
        "Framework",
        "Dimension",
        "Question",
        "Round",
        "Assessment",
        "Answer",
        "IdentityProvider",
        "SecurityEvent",
    } <= registered


@pytest.mark.parametrize("app_label,model_name,page", ADMIN_PAGES)
def test_it_loads_for_an_administrator(
    client, administrator, framework, app_label, model_name, page
):
    client.force_login(administrator)
    response = client.get(page_url(app_label, model_name, page))
    assert response.status_code == 200


@pytest.mark.parametrize("app_label,model_name,page", ADMIN_PAGES)
def test_it_sends_organisation_users_and_visitors_to_the_admin_login(
    client, council_a, app_label, model_name, page
):
    url = page_url(app_label, model_name, page)
    for user in (None, council_a.ict_manager, council_a.executive):
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_the_organisation_list_searches_and_filters_hundreds_of_councils(client, administrator):
    OrganisationFactory.create_batch(420)
    OrganisationFactory(name="Cherwell District Council", gss_code="E07000177", kind="district")
    client.force_login(administrator)
    url = reverse("admin:partnerships_organisation_changelist")

    response = client.get(url, {"q": "E07000177"})
    assert list(response.context["cl"].result_list.values_list("name", flat=True)) == [
        "Cherwell District Council"
    ]
    response = client.get(url, {"kind__exact": "district"})
    assert response.context["cl"].result_count == 1
    response = client.get(url)
    assert response.context["cl"].result_count == 421
    assert len(response.context["cl"].result_list) == 50  # paginated


def test_an_administrator_creates_an_organisation_and_a_user_without_a_shell(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:partnerships_organisation_add"),
        {"name": "Vale Police", "kind": "police", "gss_code": "", "region": "South East"},
    )
    assert response.status_code == 302
    police = Organisation.objects.get(name="Vale Police")
    assert police.gss_code is None

    response = client.post(
        reverse("admin:partnerships_user_add"),
        {
            "username": "vale-ict",
            "password1": "a-long-enough-passphrase-2026",
            "password2": "a-long-enough-passphrase-2026",
            "usable_password": "true",
            "first_name": "Val",
            "last_name": "Ict",
            "email": "vale-ict@example.invalid",
            "organisation": police.pk,
            "role": Role.ICT_MANAGER,
            "job_title": "ICT Manager",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = police.users.get(username="vale-ict")
    assert user.role == Role.ICT_MANAGER
    assert UserFactory._meta.model.objects.filter(username="vale-ict").count() == 1


def test_a_bad_gss_code_gets_a_clear_message(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:partnerships_organisation_add"),
        {"name": "Somewhere", "kind": "unitary", "gss_code": "X123"},
    )
    assert response.status_code == 200
    assert "Enter a GSS code as a letter E, W, S or N followed by 8 digits" in response.text
    assert not Organisation.objects.filter(name="Somewhere").exists()


def test_a_submitted_assessment_cannot_be_changed_in_the_admin(client, administrator, council_a):
    from assessments.capture.services import start_assessment

    assessment = start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )
    assessment.answers.update(level=3)
    assessment.status, assessment.submitted_at = "submitted", assessment.created_at
    assessment.save()
    answer = assessment.answers.first()
    client.force_login(administrator)
    page = client.get(reverse("admin:assessments_assessment_change", args=[assessment.pk]))
    assert "Reopen this submitted assessment" in page.text
    assert 'name="answers-0-level"' not in page.text
    response = client.post(
        reverse("admin:assessments_answer_change", args=[answer.pk]),
        {"assessment": assessment.pk, "question": answer.question_id, "level": 0},
    )
    assert response.status_code == 403
    answer.refresh_from_db()
    assert answer.level == 3


def test_a_funding_formula_cannot_be_edited_in_the_admin(client, administrator, council_a):
    from tests.factories import FundingFormulaFactory

    formula = FundingFormulaFactory(partnership=council_a.partnership, text="Original")
    client.force_login(administrator)
    url = reverse("admin:partnerships_fundingformula_change", args=[formula.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"partnership": council_a.partnership.pk, "version": 1, "text": "Quietly changed"}
    )
    assert response.status_code == 403
    formula.refresh_from_db()
    assert formula.text == "Original"


def test_questions_of_a_framework_in_use_cannot_be_edited_in_the_admin(
    client, administrator, council_a
):
    question = council_a.round.framework.dimensions.first().questions.first()
    client.force_login(administrator)
    url = reverse("admin:assessments_question_change", args=[question.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "statement": "Changed",
            "code": question.code,
            "dimension": question.dimension_id,
            "weight": 1,
            "position": 1,
        },
    )
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.statement != "Changed"
