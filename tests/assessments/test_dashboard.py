import pytest
from django.urls import reverse

from tests.factories import AssessmentFactory, MembershipFactory, RoundFactory

pytestmark = pytest.mark.django_db


def test_it_sends_visitors_to_sign_in(client):
    response = client.get(reverse("assessments:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_it_lists_the_users_partnerships_rounds_and_own_assessments(client, council_a):
    AssessmentFactory(round=council_a.round, organisation=council_a.organisation, submitted=True)
    client.force_login(council_a.executive)
    response = client.get(reverse("assessments:dashboard"))
    assert response.status_code == 200
    assert "Avonford Council partnership" in response.text
    assert "2026 review" in response.text
    assert "Submitted" in response.text
    plan = reverse("assessments:action_plan", args=[council_a.partnership.pk])
    assert f'href="{plan}"' in response.text


def test_it_hides_other_councils_partnerships_and_assessments(client, council_a, council_b):
    # Council B is in council A's partnership too, with its own assessment there.
    MembershipFactory(partnership=council_a.partnership, organisation=council_b.organisation)
    AssessmentFactory(round=council_a.round, organisation=council_b.organisation, submitted=True)
    client.force_login(council_a.ict_manager)
    response = client.get(reverse("assessments:dashboard"))
    rows = response.context["dashboard"]
    assert [row.partnership for row in rows] == [council_a.partnership]
    # A's own assessment is not started; B's submitted one is not shown as A's.
    assert [item.assessment for item in rows[0].rounds] == [None]
    assert "Brambleton Council partnership" not in response.text
    assert "Submitted" not in response.text


def test_a_former_member_no_longer_sees_the_partnership(client, council_a):
    council_a.partnership.memberships.update(left_on="2026-01-01", joined_on="2025-01-01")
    client.force_login(council_a.ict_manager)
    response = client.get(reverse("assessments:dashboard"))
    assert response.context["dashboard"] == []
    assert "not a member of any partnership" in response.text


@pytest.mark.parametrize("extra_rounds", [0, 20])
def test_its_query_count_does_not_grow_with_rounds(
    client, council_a, framework, django_assert_num_queries, extra_rounds
):
    for n in range(extra_rounds):
        round_ = RoundFactory(partnership=council_a.partnership, framework=framework)
        AssessmentFactory(round=round_, organisation=council_a.organisation, submitted=n % 2)
    client.force_login(council_a.ict_manager)
    # session, user (+organisation), partnerships, rounds (+framework), own membership,
    # own assessments (+ their latest reopening); "What needs you": own actions due; the
    # partnerships the person coordinates
    with django_assert_num_queries(8):
        client.get(reverse("assessments:dashboard"))
