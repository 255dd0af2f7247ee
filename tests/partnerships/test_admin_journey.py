"""A new administrator's first day, end to end, through the admin pages.

Everything an administrator does here is a real request to the real admin address, with
the fields the page's own form would send: each form is read from the page (hidden
inputs, selected options, the inline formset's management fields) and only what a
person would type or choose is changed. Only the ICT managers' data entry (their
submitted assessments) is made directly, with the report tests' `assess()`.

The journey follows the issue's "Done when": import 450 organisations from CSV, make a
five-member partnership, run last year's and this year's rounds, invite two people,
remove a member, and check that last year's report is untouched while the member loses
this year's round and its people lose access.
"""

import csv
import io
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Round, RoundStatus
from assessments.reporting.data import partnership_report
from partnerships.admin_import import SESSION_KEY
from partnerships.models import Membership, MembershipRole, Organisation, Partnership, Role, User
from tests.builders import assess

pytestmark = pytest.mark.django_db

ONS_FILE = Path(settings.BASE_DIR) / "data" / "organisations-ons-2021.csv"
EXTRA_SERVICES = 95
PARTNERSHIP = "Tees Valley Digital Partnership"
LEAD = "Hartlepool"
MEMBERS = [
    LEAD,
    "Middlesbrough",
    "Redcar and Cleveland",
    "Stockton-on-Tees",
    "Test Fire and Rescue Service 001",
]
LEAVER = "Stockton-on-Tees"


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    """Uploads wait for confirmation here, not in the project's var/ folder."""
    settings.ORGANISATION_IMPORT_DIR = tmp_path / "imports"
    return settings.ORGANISATION_IMPORT_DIR


# ------------------------------------------------------------------ the files


def ons_rows() -> list[dict]:
    with ONS_FILE.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def organisations_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["name", "kind", "gss_code", "region"])
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def four_hundred_and_fifty_rows() -> list[dict]:
    """The 355 ONS councils and 95 fire and rescue services with no GSS code."""
    services = [
        {
            "name": f"Test Fire and Rescue Service {number:03d}",
            "kind": "fire",
            "gss_code": "",
            "region": "North East",
        }
        for number in range(1, EXTRA_SERVICES + 1)
    ]
    return ons_rows() + services


# ------------------------------------------------------------------ the browser


class FormReader(HTMLParser):
    """What a browser would submit from each <form> on a page, before anyone types:
    inputs with their values (checkboxes only when ticked, no buttons or files), each
    select's selected option (or its first), each textarea's text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def _fields(self) -> dict | None:
        return self.forms[-1]["fields"] if self.forms else None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"attrs": attrs, "fields": {}})
            return
        fields = self._fields()
        if fields is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            fields[name] = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
        elif tag == "select" and name:
            self._select = {"name": name, "options": [], "selected": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "text": ""}
            self._select["options"].append(self._option)
            if "selected" in attrs:
                self._select["selected"].append(self._option)
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        fields = self._fields()
        if tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["selected"] or self._select["options"][:1]
            if chosen:
                option = chosen[0]
                value = option["value"] if option["value"] is not None else option["text"]
                fields[self._select["name"]] = value.strip()
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            fields[self._textarea["name"]] = self._textarea["text"].removeprefix("\n")
            self._textarea = None


def form_on(response, field: str) -> dict:
    """The fields of the form on the page that has `field` (the page's other forms are
    the header's sign-out and theme forms)."""
    reader = FormReader()
    reader.feed(response.content.decode())
    matching = [form["fields"] for form in reader.forms if field in form["fields"]]
    assert matching, f"no form with a {field} field on the page"
    return dict(matching[0])


class Administrator:
    """The test client as an administrator's browser: every admin page must answer 200
    or a redirect (never an error), and every redirect leads to a page that loads."""

    def __init__(self, client: Client):
        self.client = client
        self.pages: list[tuple[str, str, int]] = []

    def _record(self, method: str, url: str, response):
        self.pages.append((method, url, response.status_code))
        assert response.status_code in (200, 302), (method, url, response.status_code)

    def get(self, url: str, params=None):
        response = self.client.get(url, params)
        self._record("GET", url, response)
        assert response.status_code == 200, (url, response.status_code)
        return response

    def post(self, url: str, data: dict, *, expect: int = 302):
        response = self.client.post(url, data)
        self._record("POST", url, response)
        assert response.status_code == expect, form_errors(response)
        if response.status_code == 302:
            response.next_page = self.get(response["Location"])
        return response

    def messages_after(self, response) -> str:
        """The page a redirect led to, as text (where the admin's messages show)."""
        return response.next_page.content.decode()

    def pick(self, app_label: str, model_name: str, field_name: str, name: str) -> str:
        """Choose `name` in an autocomplete field, as the admin's select2 box does:
        type the name, take the matching suggestion."""
        response = self.get(
            reverse("admin:autocomplete"),
            {
                "app_label": app_label,
                "model_name": model_name,
                "field_name": field_name,
                "term": name,
            },
        )
        ids = [result["id"] for result in response.json()["results"] if result["text"] == name]
        assert len(ids) == 1, (name, response.json())
        return ids[0]

    def run_action(self, changelist: str, action: str, pks) -> str:
        """Tick rows on a changelist, choose an action and press Go; the message shown."""
        data = form_on(self.get(reverse(changelist)), "action")
        data.update({"action": action, "_selected_action": [str(pk) for pk in pks], "index": "0"})
        return self.messages_after(self.post(reverse(changelist), data))


def form_errors(response) -> str:
    context = getattr(response, "context", None)
    if not context:
        return f"status {response.status_code}"
    found = []
    for key in ("adminform", "form"):
        if key in context:
            form = getattr(context[key], "form", context[key])
            found.append(form.errors)
    for formset in context.get("inline_admin_formsets", []):
        found.append(formset.formset.errors)
        found.append(formset.formset.non_form_errors())
    return f"status {response.status_code}: {found}"


@pytest.fixture
def admin_browser(client, administrator) -> Administrator:
    client.force_login(administrator)
    return Administrator(client)


def typed(day) -> str:
    """A date as an administrator types it in the admin's date box (en-GB)."""
    return day.strftime("%d/%m/%Y")


# ------------------------------------------------------------------ the steps


def import_organisations(browser: Administrator, content: bytes, file_name: str):
    """Upload on the import page; returns the preview (or the page listing problems)."""
    browser.get(reverse("admin:partnerships_organisation_changelist"))
    browser.get(reverse("admin:partnerships_organisation_import"))
    return browser.post(
        reverse("admin:partnerships_organisation_import"),
        {"file": SimpleUploadedFile(file_name, content, "text/csv")},
        expect=200,
    )


def confirm_import(browser: Administrator, preview) -> str:
    data = form_on(preview, "token")
    response = browser.post(reverse("admin:partnerships_organisation_import_confirm"), data)
    assert response["Location"] == reverse("admin:partnerships_organisation_changelist")
    return browser.messages_after(response)


def add_partnership(browser: Administrator, joined_on) -> Partnership:
    page = browser.get(reverse("admin:partnerships_partnership_add"))
    data = form_on(page, "memberships-TOTAL_FORMS")
    assert data["memberships-INITIAL_FORMS"] == "0"
    # The page shows one empty member row; "Add another Member" copies the hidden
    # template row, putting the row's number where it says __prefix__, and counts it in
    # TOTAL_FORMS. The organisation box is an autocomplete with nothing chosen yet, so
    # the browser sends no value for it until one is picked.
    for field in ("organisation", "role", "joined_on", "left_on", "id"):
        assert f'name="memberships-__prefix__-{field}"' in page.content.decode()
    template = {name: value for name, value in data.items() if "__prefix__" in name}
    data = {name: value for name, value in data.items() if "__prefix__" not in name}
    data.update(
        {
            "name": PARTNERSHIP,
            "description": "Five Tees Valley bodies sharing identity and ICT services.",
            "memberships-TOTAL_FORMS": str(len(MEMBERS)),
            "_save": "Save",
        }
    )
    for index, member in enumerate(MEMBERS):
        row = {key.replace("__prefix__", str(index)): value for key, value in template.items()}
        row.update(
            {
                f"memberships-{index}-organisation": browser.pick(
                    "partnerships", "membership", "organisation", member
                ),
                f"memberships-{index}-role": (
                    MembershipRole.LEAD if member == LEAD else MembershipRole.MEMBER
                ),
                f"memberships-{index}-joined_on": typed(joined_on),
                f"memberships-{index}-left_on": "",
            }
        )
        data.update(row)
    response = browser.post(reverse("admin:partnerships_partnership_add"), data)
    assert response["Location"] == reverse("admin:partnerships_partnership_changelist")
    partnership = Partnership.objects.get(name=PARTNERSHIP)
    browser.get(reverse("admin:partnerships_partnership_change", args=[partnership.pk]))
    return partnership


def add_round(browser: Administrator, framework, name: str, opens_on) -> Round:
    page = browser.get(reverse("admin:assessments_round_add"))
    data = form_on(page, "framework")
    assert str(framework.pk) in page.content.decode()  # offered in the framework list
    data.update(
        {
            "partnership": browser.pick("assessments", "round", "partnership", PARTNERSHIP),
            "name": name,
            "framework": str(framework.pk),
            "opens_on": typed(opens_on),
            "closes_on": typed(opens_on + timedelta(days=60)),
            "_save": "Save",
        }
    )
    browser.post(reverse("admin:assessments_round_add"), data)
    return Round.objects.get(partnership__name=PARTNERSHIP, name=name)


def invite(browser: Administrator, organisation, email: str, first: str, last: str, role: str):
    page = browser.get(reverse("admin:partnerships_user_invite"))
    data = form_on(page, "email")
    data.update(
        {
            "email": email,
            "first_name": first,
            "last_name": last,
            "organisation": str(organisation.pk),
            "role": role,
            "job_title": "Head of ICT" if role == Role.ICT_MANAGER else "Chief Executive",
        }
    )
    response = browser.post(reverse("admin:partnerships_user_invite"), data)
    assert response["Location"] == reverse("admin:partnerships_user_changelist")
    assert f"Invited {first} {last} ({email})" in browser.messages_after(response)


def member_names(report) -> list[str]:
    return [member["organisation"]["name"] for member in report["members"]]


def report_status(user, round_) -> int:
    browser = Client()
    browser.force_login(user)
    return browser.get(reverse("assessments:partnership_report", args=[round_.pk])).status_code


# ------------------------------------------------------------------ the tests


def test_a_new_administrator_sets_up_a_partnership_and_removing_a_member_keeps_history(
    admin_browser, framework
):
    browser = admin_browser
    today = timezone.localdate()
    browser.get(reverse("admin:index"))

    # 1. Import 450 organisations: preview first, nothing written until confirmed.
    rows = four_hundred_and_fifty_rows()
    assert len(rows) == 450
    preview = import_organisations(browser, organisations_csv(rows), "organisations.csv")
    assert preview.templates[0].name == "admin/partnerships/organisation/import_preview.html"
    page = preview.content.decode()
    assert "create <strong>450</strong> organisations" in page
    assert "update <strong>0</strong> organisations" in page
    assert Organisation.objects.count() == 0
    shown = confirm_import(browser, preview)
    assert "Imported organisations.csv: 450 created, 0 updated, 0 unchanged." in shown
    assert Organisation.objects.count() == 450
    assert Organisation.objects.filter(kind="fire", gss_code__isnull=True).count() == 95
    assert Organisation.objects.get(gss_code="E06000001").name == "Hartlepool"
    browser.get(reverse("admin:partnerships_organisation_changelist"), {"q": "Fire and Rescue"})

    # 2. A partnership of five, one of them the lead, who joined about two years ago.
    joined_on = today - timedelta(days=730)
    partnership = add_partnership(browser, joined_on)
    memberships = Membership.objects.filter(partnership=partnership)
    assert sorted(m.organisation.name for m in memberships) == sorted(MEMBERS)
    assert [m.organisation.name for m in memberships if m.role == MembershipRole.LEAD] == [LEAD]
    assert {(m.joined_on, m.left_on) for m in memberships} == {(joined_on, None)}
    browser.get(reverse("admin:partnerships_partnership_changelist"))

    # 3. Last year's round and this year's, both with the loaded framework.
    last_year = add_round(browser, framework, "Last year's review", today - timedelta(days=400))
    this_year = add_round(browser, framework, "This year's review", today - timedelta(days=30))
    assert {last_year.status, this_year.status} == {RoundStatus.OPEN}
    assert last_year.framework == this_year.framework == framework
    shown = browser.run_action("admin:assessments_round_changelist", "close_rounds", [last_year.pk])
    assert "Closed 1 round(s)." in shown  # no drafts, so no confirmation step
    last_year.refresh_from_db()
    assert last_year.status == RoundStatus.CLOSED
    assert last_year.closes_on == today
    # The admin can only close a round "today" (and its change form shows closes_on
    # read-only). Last year's round would have been closed last year, so its closing
    # date is moved back to then; this is the one step not done through a page.
    Round.objects.filter(pk=last_year.pk).update(closes_on=today - timedelta(days=300))
    last_year.refresh_from_db()

    # 4. Last year, every member's ICT manager submitted (data entry, not admin work).
    # The leaver is the weakest partner, so losing it would change the summary.
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=MEMBERS)}
    for name, organisation in organisations.items():
        assess(last_year, organisation, level=1 if name == LEAVER else 3, submitted_days_ago=320)
    before = partnership_report(last_year)
    assert sorted(member_names(before)) == sorted(MEMBERS)
    assert {m["assessment_status"] for m in before["members"]} == {"submitted"}
    assert {item["weakest"] for item in before["dimension_summary"]} == {LEAVER}
    assert sorted(member_names(partnership_report(this_year))) == sorted(MEMBERS)

    # 5. Invite the leaver's ICT manager and executive.
    leaver = organisations[LEAVER]
    browser.get(reverse("admin:partnerships_user_changelist"))
    invite(browser, leaver, "ict@stockton.example.gov.uk", "Ina", "Cole", Role.ICT_MANAGER)
    invite(browser, leaver, "ceo@stockton.example.gov.uk", "Eli", "Shaw", Role.EXECUTIVE)
    assert [message.to for message in mail.outbox] == [
        ["ict@stockton.example.gov.uk"],
        ["ceo@stockton.example.gov.uk"],
    ]
    people = {user.role: user for user in User.objects.filter(organisation=leaver)}
    assert set(people) == {Role.ICT_MANAGER, Role.EXECUTIVE}
    for user in people.values():
        assert user.username == user.email
        assert not user.has_usable_password()
        assert not user.is_staff
    for message in mail.outbox:
        assert "http://testserver/accounts/reset/" in message.body
        assert LEAVER in message.body
    # Members see this year's partnership report (so the 404 later is the removal).
    assert report_status(people[Role.ICT_MANAGER], this_year) == 200
    assert report_status(people[Role.EXECUTIVE], this_year) == 200

    # 6. Remove the member with the membership list's action (members are never deleted).
    membership = Membership.objects.get(partnership=partnership, organisation=leaver)
    shown = browser.run_action(
        "admin:partnerships_membership_changelist", "end_memberships", [membership.pk]
    )
    assert "Ended 1 membership(s) from today." in shown
    membership.refresh_from_db()
    assert membership.left_on == today
    assert Membership.objects.filter(partnership=partnership).count() == len(MEMBERS)
    browser.get(reverse("admin:partnerships_membership_changelist"), {"current": "no"})
    listing = browser.get(reverse("admin:partnerships_partnership_changelist"))
    assert partnership.name in listing.content.decode()
    browser.get(reverse("admin:partnerships_partnership_change", args=[partnership.pk]))

    after = partnership_report(last_year)
    assert after["members"] == before["members"]
    assert after["dimension_summary"] == before["dimension_summary"]
    assert after == before  # verdict, gaps, trend: last year's report is untouched
    current = partnership_report(this_year)
    assert sorted(member_names(current)) == sorted(set(MEMBERS) - {LEAVER})
    assert LEAVER not in current["not_submitted"]
    assert report_status(people[Role.ICT_MANAGER], this_year) == 404
    assert report_status(people[Role.EXECUTIVE], this_year) == 404

    # 7. No admin page answered with an error.
    assert len(browser.pages) > 30
    assert all(status in (200, 302) for _, _, status in browser.pages)


def test_a_file_with_problems_imports_nothing_and_says_which_lines_to_fix(admin_browser):
    browser = admin_browser
    first = import_organisations(browser, organisations_csv(ons_rows()), "councils.csv")
    assert "Imported councils.csv: 355 created" in confirm_import(browser, first)
    before = list(Organisation.objects.order_by("pk").values_list())

    rows = four_hundred_and_fifty_rows()
    rows[0] = {**rows[0], "name": "Hartlepool Borough Council"}  # would be an update
    rows[199] = {**rows[199], "gss_code": "E0700"}  # line 201
    rows[449] = {**rows[449], "kind": "fire brigade"}  # line 451
    response = import_organisations(browser, organisations_csv(rows), "organisations.csv")

    page = response.content.decode()
    assert response.templates[0].name == "admin/partnerships/organisation/import.html"
    assert "Nothing was imported" in page
    assert "Fix these 2 problems in the file" in page
    assert "Line 201, gss_code: E0700 is not a GSS code." in page
    assert "Line 451, kind: “fire brigade” is not a kind of organisation." in page
    assert list(Organisation.objects.order_by("pk").values_list()) == before
    assert SESSION_KEY not in browser.client.session
    assert not list(Path(settings.ORGANISATION_IMPORT_DIR).glob("*.csv"))
    # Going back to the confirm address with no preview imports nothing either.
    stale = browser.post(
        reverse("admin:partnerships_organisation_import_confirm"), {"token": "0" * 32}, expect=200
    )
    assert "This preview has expired" in stale.content.decode()
    assert list(Organisation.objects.order_by("pk").values_list()) == before
