"""Walk every assessment URL as every persona: the owner's ICT manager may change, its
executive may only read (403 on any change), other organisations get 404, visitors
are sent to sign in, administrators read and may reopen."""

import pytest
from django.urls import reverse

from assessments.capture.services import start_assessment
from assessments.models import Answer

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "a_ict", "a_exec", "b_ict", "b_exec", "administrator"]

# (name, method, expected status per persona, in PERSONAS order)
EXPECTED = {
    ("tasks", "get"): [302, 200, 200, 404, 404, 200],
    ("dimension", "get"): [302, 200, 200, 404, 404, 200],
    ("dimension", "post"): [302, 302, 403, 404, 404, 403],
    ("history", "get"): [302, 200, 200, 404, 404, 200],
    ("check", "get"): [302, 200, 200, 404, 404, 200],
    ("check", "post"): [302, 200, 403, 404, 404, 403],
    ("submitted", "get"): [302, 302, 302, 404, 404, 302],
    ("reopen", "get"): [302, 403, 403, 404, 404, 302],
    ("reopen", "post"): [302, 403, 403, 404, 404, 302],
    ("start", "get"): [302, 302, 403, 404, 404, 403],
    ("start", "post"): [302, 302, 403, 404, 404, 403],
}


@pytest.fixture
def people(council_a, council_b, administrator):
    return {
        "anonymous": None,
        "a_ict": council_a.ict_manager,
        "a_exec": council_a.executive,
        "b_ict": council_b.ict_manager,
        "b_exec": council_b.executive,
        "administrator": administrator,
    }


def url_for(name, assessment, round_):
    if name == "start":
        return reverse("assessments:start", args=[round_.pk])
    if name in ("dimension", "history"):
        return reverse(f"assessments:{name}", args=[assessment.pk, "governance"])
    return reverse(f"assessments:{name}", args=[assessment.pk])


def snapshot(assessment):
    return list(
        Answer.objects.filter(assessment=assessment)
        .order_by("pk")
        .values_list("level", "evidence", "version")
    ) + [assessment.__class__.objects.filter(pk=assessment.pk).values_list("status").get()]


@pytest.mark.parametrize("name,method", list(EXPECTED))
def test_every_persona_gets_the_right_answer(client, council_a, people, name, method):
    assessment = start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )
    url = url_for(name, assessment, council_a.round)
    governance = assessment.round.framework.dimensions.get(code="governance")
    data = {"action": "draft", "start_from": "blank", "reason": "Walking the URLs"}
    for answer in assessment.answers.filter(question__dimension=governance):
        data |= {f"level_{answer.question_id}": "1", f"version_{answer.question_id}": "1"}

    for persona, expected in zip(PERSONAS, EXPECTED[(name, method)], strict=True):
        client.logout()
        if people[persona] is not None:
            client.force_login(people[persona])
        before = snapshot(assessment)
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == expected, f"{persona} {method.upper()} {url}"
        if persona == "anonymous":
            assert response["Location"].startswith(reverse("login"))
        if method == "post" and expected in (302, 403, 404) and persona != "a_ict":
            assert snapshot(assessment) == before, f"{persona} changed something"


def test_only_the_owner_ict_manager_changes_answers(client, council_a):
    assessment = start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )
    answers = list(assessment.answers.filter(question__dimension__code="governance"))
    data = {"action": "draft"} | {f"version_{a.question_id}": "1" for a in answers}
    data[f"level_{answers[0].question_id}"] = "2"
    client.force_login(council_a.executive)
    url = reverse("assessments:dimension", args=[assessment.pk, "governance"])
    assert client.post(url, data).status_code == 403
    client.force_login(council_a.ict_manager)
    assert client.post(url, data).status_code == 302
    levels = [a.level for a in assessment.answers.filter(question__dimension__code="governance")]
    assert sorted(levels, key=lambda level: level is None) == [2] + [None] * (len(answers) - 1)
