"""Text from people and files is never markup: markup written into every text column of
every model shows as text on every page, for every persona."""

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone

from assessments.actions.services import create_action
from assessments.capture.services import start_assessment
from assessments.choices import OwnerRole
from assessments.models import AssessmentReopening, Question
from assessments.reporting.cache import cached_partnership_report
from tests.builders import add_partner, assess, sign_funding
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PLANTED = '<b class="planted">x</b><a class="planted" href="https://evil.invalid/">y</a>'
SHORT = '<b class="planted">x</b>'
# Columns that are identifiers or secrets, not text people read.
NOT_TEXT = {
    "username",
    "email",
    "password",
    "gss_code",
    "content_hash",
    "code",
    "source",
    "gap_key",
    "gap_code",
    "report",  # a closed round's frozen report: JSON text, read by the app, not people
}


def _is_char(model, name: str) -> bool:
    return isinstance(model._meta.get_field(name), models.CharField)


def plant_markup_everywhere() -> int:
    planted = 0
    for app in ("partnerships", "assessments"):
        for model in apps.get_app_config(app).get_models():
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
                and not f.choices
                and not isinstance(f, models.SlugField | models.EmailField)
                and f.name not in NOT_TEXT
            ]
            if fields:
                # A short tag in CharFields, so names stay within their column length.
                model.objects.update(
                    **{
                        f: Concat(f, Value(SHORT if _is_char(model, f) else PLANTED))
                        for f in fields
                    }
                )
                planted += len(fields)
    for question in Question.objects.all():
        question.level_descriptors = [d + PLANTED for d in question.level_descriptors]
        question.save(update_fields=["level_descriptors"])
    return planted


def test_planted_markup_is_never_live_on_any_page(client, council_a, administrator, framework):
    partner = add_partner(council_a.partnership, "Second Council")
    submitted = assess(council_a.round, partner, evidence="Minutes")
    AssessmentReopening.objects.create(
        assessment=submitted,
        reopened_by=administrator,
        reason="Check",
        previously_submitted_at=submitted.submitted_at,
    )
    draft = start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )
    sign_funding(council_a.partnership, [partner])
    partner_ict = UserFactory(organisation=partner)
    report, _ = cached_partnership_report(council_a.round)
    gap = next(g for g in report["gaps"] if g["code"] == "member-not-submitted")
    action = create_action(
        user=council_a.ict_manager,
        round_=council_a.round,
        gap=gap,
        partnership_wide=False,
        description="Fix it",
        owner_role=OwnerRole.ICT_MANAGER,
        owner_name="Someone",
        due_on=timezone.localdate(),
    )
    assert plant_markup_everywhere() >= 19  # every text column of both apps

    own = {
        council_a.ict_manager: draft,
        council_a.executive: draft,
        partner_ict: submitted,
        administrator: submitted,
    }
    for user, assessment in own.items():
        client.force_login(user)
        pages = [
            reverse("assessments:dashboard"),
            reverse("assessments:tasks", args=[assessment.pk]),
            reverse("assessments:dimension", args=[assessment.pk, "governance"]),
            reverse("assessments:history", args=[assessment.pk, "governance"]),
            reverse("assessments:check", args=[assessment.pk]),
            reverse("assessments:organisation_report", args=[assessment.pk]),
            reverse("assessments:partnership_report", args=[council_a.round.pk]),
            reverse("partnerships:funding", args=[council_a.partnership.pk]),
            reverse("partnerships:funding_edit", args=[council_a.partnership.pk]),
            reverse("assessments:start", args=[council_a.round.pk]),
            reverse("assessments:reopen", args=[submitted.pk]),
            reverse("assessments:action_plan", args=[council_a.partnership.pk]),
            reverse("assessments:action", args=[action.pk]),
            reverse("assessments:new_action", args=[council_a.round.pk]),
        ]
        for url in pages:
            response = client.get(url, follow=True)
            if response.status_code != 200:
                continue  # not this persona's page (403/404 are tested elsewhere)
            assert 'class="planted"' not in response.text, (user.username, url)
    client.force_login(administrator)
    admin_pages = [
        reverse("admin:partnerships_organisation_changelist"),
        reverse("admin:assessments_assessment_change", args=[submitted.pk]),
        reverse("admin:partnerships_fundingformula_changelist"),
    ]
    for url in admin_pages:
        assert 'class="planted"' not in client.get(url).text, url
