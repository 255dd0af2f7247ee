"""The Django admin in a real browser: every page the administrator reaches passes axe
(WCAG 2.0, 2.1 and 2.2, A and AA), including the pages Django shows after a mistake,
the widgets that open on a page, a phone-sized screen and the dark theme.

One test visits them all with one signed-in page (a live server and a sign-in per page
would take minutes); it checks every page before failing, and the failure names each
page with its violations.

The pages come from `admin.site._registry`, so a newly registered model is checked
without changing this file: its changelist, its add page (where its admin allows
adding) and the change page of one of its objects (where one exists)."""

import json
from datetime import timedelta

import pytest
import yaml
from allauth.socialaccount.models import SocialAccount
from axe_playwright_python.base import AXE_SCRIPT
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from assessments.actions.services import create_action, update_action
from assessments.capture.services import reopen_assessment
from assessments.choices import OwnerRole
from assessments.framework.loader import DEFAULT_FRAMEWORK_FILE, load_framework_text
from assessments.models import AnswerChange, RoundReopening
from assessments.reporting.data import partnership_report
from identity.models import IdentityProvider, OrganisationSignIn, SecurityEvent
from notifications.models import Notification
from partnerships.models import Organisation, OrganisationKind
from tests.browser.conftest import WCAG_TAGS
from tests.builders import assess, sign_funding
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
RUN_AXE = f"axe.run({json.dumps(AXE_OPTIONS)})"
PHONE = {"width": 375, "height": 800}


def build_service(council_a, council_b, administrator) -> dict:
    """Both councils in Avonford's partnership with submitted assessments, a signed
    funding formula, an action with a change, reopenings, a notification, an identity
    provider with a linked account, the security and sign-in logs, a queued task, the
    admin's own history, a framework version no round uses yet (so its dimensions and
    questions are editable), and enough organisations for a second page of them."""
    long_ago = timezone.localdate() - timedelta(days=400)
    council_a.partnership.memberships.update(joined_on=long_ago)
    MembershipFactory(
        partnership=council_a.partnership, organisation=council_b.organisation, joined_on=long_ago
    )
    assessment = assess(council_a.round, council_a.organisation, level=4)
    assess(
        council_a.round,
        council_b.organisation,
        level=3,
        levels={"identity-management.citizen-identity": 1},
    )
    sign_funding(council_a.partnership, [council_a.organisation])
    gaps = {gap["code"]: gap for gap in partnership_report(council_a.round)["gaps"]}
    action = create_action(
        user=council_b.ict_manager,
        round_=council_a.round,
        gap=gaps["citizen-identity-below-gate"],
        partnership_wide=False,
        description="Choose an identity provider",
        owner_role=OwnerRole.ICT_MANAGER,
        owner_name="Sam Patel",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    update_action(user=council_b.ict_manager, action=action, version=1, owner_name="Jo Bloggs")

    answer = assessment.answers.order_by("pk").first()
    AnswerChange.objects.create(
        answer=answer, changed_by=council_a.ict_manager, old_level=3, new_level=4, version=2
    )
    reopen_assessment(assessment=assessment, user=administrator, reason="Figures corrected")
    RoundReopening.objects.create(
        round=council_b.round,
        reopened_by=administrator,
        reason="Reopened for a late partner.",
        discarded_snapshot_as_at=timezone.localdate(),
    )
    Notification.objects.create(
        recipient=council_a.ict_manager,
        kind="assessment_reopened",
        about="reopening:1",
        subject="Your assessment was reopened",
        sent_at=timezone.now(),
        outcome="sent",
        attempts=1,
    )

    provider = IdentityProvider.objects.create(
        name="Avonford identity provider",
        slug="avonford",
        issuer_url="https://login.avonford.example",
        client_id="partnership-readiness",
        client_secret="not-a-real-secret",  # noqa: S106 - test data
    )
    OrganisationSignIn.objects.create(
        organisation=council_a.organisation, provider=provider, email_domains="avonford.gov.uk"
    )
    linked = UserFactory(username="sam@avonford.gov.uk", organisation=council_a.organisation)
    SocialAccount.objects.create(user=linked, provider="avonford", uid="sam-1")
    SecurityEvent.objects.create(
        kind="sign_in", user=linked, username=linked.username, ip_address="192.0.2.1"
    )
    attempt = {
        "user_agent": "Mozilla/5.0",
        "ip_address": "192.0.2.9",
        "username": "mistyped",
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
    }
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**attempt)
    AccessLog.objects.create(**{**attempt, "username": "avonford-ict"})
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="assessments.reporting.tasks.render_report_pdf",
        backend_name="default",
        run_after=get_date_max(),
        exception_class_path="",
        traceback="",
    )

    # The admin's history: the index lists recent actions, each object its own.
    for obj, flag in ((council_b.round, ADDITION), (council_a.ict_manager, CHANGE)):
        LogEntry.objects.create(
            user=administrator,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=str(obj),
            action_flag=flag,
            change_message=json.dumps([{"changed": {"fields": ["Name"]}}]),
        )
    LogEntry.objects.create(
        user=administrator,
        content_type=ContentType.objects.get_for_model(Organisation),
        object_id="999",
        object_repr="Old parish council",
        action_flag=DELETION,
    )

    # A new version of the framework, two statements a dimension, that no round uses.
    draft = yaml.safe_load(DEFAULT_FRAMEWORK_FILE.read_text())
    for dimension in draft["dimensions"]:
        dimension["questions"] = dimension["questions"][:2]
    draft = load_framework_text(yaml.safe_dump(draft), source="draft.yaml").framework
    Organisation.objects.bulk_create(
        Organisation(name=f"Parish council {n:02}", kind=OrganisationKind.UNITARY)
        for n in range(60)
    )
    dimension = draft.dimensions.order_by("position").first()
    return {"draft_dimension": dimension, "draft_question": dimension.questions.first()}


def registered_pages(administrator) -> list[str]:
    """Each registered model's changelist, add page and one change page."""
    request = RequestFactory().get("/admin/")
    request.user = administrator
    urls = []
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{name}_changelist"))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{name}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{name}_change", args=[first.pk]))
    return urls


class Audit:
    """Runs axe on the page as it is and keeps a report of what it finds."""

    def __init__(self, page, base_url: str):
        self.page, self.base_url, self.failures = page, base_url, []
        # axe is in every page from the start, instead of sent to each one.
        page.add_init_script(script=AXE_SCRIPT)

    def visit(self, url: str, label: str = ""):
        response = self.page.goto(self.base_url + url)
        assert response.ok, f"{url} answered {response.status}"
        self.check(label or url)

    def check(self, label: str):
        violations = self.page.evaluate(RUN_AXE)["violations"]
        if not violations:
            return
        lines = [f"{label} ({self.page.url}):"]
        for violation in violations:
            lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            if len(violation["nodes"]) > 5:
                lines.append(f"    ... and {len(violation['nodes']) - 5} more")
        self.failures.append("\n".join(lines))


def test_every_admin_page_is_accessible(
    page, live_server, sign_in, administrator, council_a, council_b
):
    service = build_service(council_a, council_b, administrator)
    audit = Audit(page, live_server.url)
    audit.visit(f"{reverse('admin:login')}?next=/admin/", "The admin's own sign-in page")
    sign_in("administrator", TEST_PASSWORD)

    audit.visit(reverse("admin:index"))
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        audit.visit(reverse("admin:app_list", args=[app_label]))

    # The model pages, the first with the navigation sidebar open, then with it closed
    # as the administrator may keep it: it is the same on every page (and open on all
    # the pages after these), and checking it takes axe a while.
    first, *others = registered_pages(administrator)
    audit.visit(first)
    toggle = page.get_by_role("button", name="Toggle navigation")
    toggle.click()
    for url in others:
        audit.visit(url)
    toggle.click()

    organisations = reverse("admin:partnerships_organisation_changelist")
    memberships = reverse("admin:partnerships_membership_changelist")
    year = timezone.localdate().year
    for url in (
        f"{organisations}?q=avonford&kind__exact=unitary",  # a search and a filter
        f"{organisations}?p=2&o=-3.1",  # the second page, sorted by two columns
        f"{memberships}?current=yes&joined_on__year={year}",  # a date drill-down
        f"{reverse('admin:identity_securityevent_changelist')}?within=7",
        f"{reverse('admin:partnerships_organisation_add')}?_to_field=id&_popup=1",
        reverse("admin:partnerships_user_history", args=[council_a.ict_manager.pk]),
        reverse("admin:partnerships_organisation_delete", args=[Organisation.objects.last().pk]),
        reverse("admin:assessments_dimension_change", args=[service["draft_dimension"].pk]),
        reverse("admin:assessments_question_change", args=[service["draft_question"].pk]),
    ):
        audit.visit(url)

    # An action chosen with no items selected: Django says to select some.
    page.goto(live_server.url + memberships)
    page.locator("select[name=action]").select_option("end_memberships")
    page.locator("button[name=index]").click()
    page.locator(".messagelist").wait_for()
    audit.check("Membership action with no items selected")

    # Add forms sent empty show their errors.
    for name in ("partnerships_partnership", "assessments_round", "partnerships_user"):
        page.goto(live_server.url + reverse(f"admin:{name}_add"))
        page.locator("#content-main form [name=_save]").click()
        page.locator(".errornote").wait_for()
        audit.check(f"{name} add form sent empty")

    # The pages the admin adds to Django's, each also sent empty.
    for name, button in (
        ("admin:partnerships_user_invite", "Send the invitation"),
        ("admin:partnerships_organisation_import", "Check the file"),
        ("admin:assessments_framework_load", "Load the framework"),
    ):
        audit.visit(reverse(name))
        page.get_by_role("button", name=button).click()
        page.locator(".errornote, .errorlist").first.wait_for()
        audit.check(f"{name} sent empty")

    # Closing a round that has a draft, and reopening rounds, ask first.
    rounds = reverse("admin:assessments_round_changelist")
    for action, heading in (("close_rounds", "Close rounds"), ("open_rounds", "Reopen")):
        page.goto(live_server.url + rounds)
        page.locator(f"input.action-select[value='{council_a.round.pk}']").check()
        page.locator("select[name=action]").select_option(action)
        page.locator("button[name=index]").click()
        page.get_by_role("heading", name=heading, level=1).wait_for()
        audit.check(f"Round action {action} asking to confirm")

    # An organisation file checked before import.
    audit.visit(reverse("admin:partnerships_organisation_import"))
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "organisations.csv",
                "mimeType": "text/csv",
                "buffer": b"name,kind,gss_code,region\n"
                b"Avonford Council,unitary,E06900001,South West\n"
                b"Copperfield Council,district,,South West\n",
            }
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Confirm import").wait_for()
    audit.check("Organisation import preview")

    audit.visit(reverse("admin:password_change"))
    page.locator("#id_old_password").fill("not-the-password")
    page.locator("#id_new_password1").fill("a-new-password-1")
    page.locator("#id_new_password2").fill("a-different-one-2")
    page.get_by_role("button", name="Change my password").click()
    page.locator(".errornote").wait_for()
    audit.check("Password change with a wrong old password")

    # Widgets that open: a new inline row, the calendar, the clock, an autocomplete.
    page.goto(
        live_server.url
        + reverse("admin:partnerships_partnership_change", args=[council_a.partnership.pk])
    )
    page.locator("#memberships-group .add-row a").click()
    page.locator("#memberships-group .inline-deletelink").first.wait_for()
    audit.check("Partnership with a member row added")
    page.goto(live_server.url + reverse("admin:assessments_round_add"))
    page.locator(".datetimeshortcuts a:has(.date-icon)").first.click()
    page.locator(".calendarbox").first.wait_for()
    audit.check("Round add form with the calendar open")
    page.goto(
        live_server.url + reverse("admin:partnerships_user_change", args=[council_a.ict_manager.pk])
    )
    page.locator(".datetimeshortcuts a:has(.clock-icon)").first.click()
    page.locator(".clockbox").first.wait_for()
    audit.check("User form with the clock open")
    page.goto(live_server.url + reverse("admin:partnerships_membership_add"))
    page.locator("#id_organisation + .select2 .select2-selection").click()
    page.get_by_role("option", name="Avonford Council").wait_for()
    audit.check("Membership add form with an autocomplete open")

    # A phone-sized screen, where the admin's layout changes, and the dark theme.
    busy_pages = [
        f"{organisations}?q=avonford&kind__exact=unitary",
        f"{memberships}?current=yes&joined_on__year={year}",
        reverse("admin:partnerships_partnership_change", args=[council_a.partnership.pk]),
        reverse("admin:partnerships_user_change", args=[council_a.ict_manager.pk]),
        reverse("admin:assessments_round_add"),
    ]
    viewport = page.viewport_size
    page.set_viewport_size(PHONE)
    for url in busy_pages:
        audit.visit(url, f"{url} on a phone")
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme="dark")
    for url in [reverse("admin:index"), *busy_pages]:
        audit.visit(url, f"{url} in the dark theme")

    assert not audit.failures, "\n\n".join(audit.failures)
