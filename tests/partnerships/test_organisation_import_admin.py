"""The admin's organisation import (upload, preview, confirm) and export pages."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnerships.admin_import import SESSION_KEY
from partnerships.models import Organisation
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:partnerships_organisation_import"
CONFIRM_URL = "admin:partnerships_organisation_import_confirm"
EXPORT_URL = "admin:partnerships_organisation_export"
ONS_FILE = Path(settings.BASE_DIR) / "data" / "organisations-ons-2021.csv"


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.ORGANISATION_IMPORT_DIR = tmp_path / "imports"
    return settings.ORGANISATION_IMPORT_DIR


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def upload(client, content: bytes, name: str = "organisations.csv"):
    return client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, content, "text/csv")})


def snapshot():
    return list(
        Organisation.objects.order_by("pk").values_list("name", "kind", "gss_code", "region")
    )


def test_the_organisation_list_links_to_import_and_export(admin_client):
    response = admin_client.get(reverse("admin:partnerships_organisation_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{reverse(IMPORT_URL)}">Import organisations from CSV</a>' in page
    assert f'href="{reverse(EXPORT_URL)}" download>Export all as CSV</a>' in page


def test_the_upload_page_describes_the_columns_and_credits_the_ons(admin_client):
    response = admin_client.get(reverse(IMPORT_URL))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<label for="id_file" class="required">CSV file</label>' in page
    assert "<code>name,kind,gss_code,region</code>" in page
    assert "data/organisations-ons-2021.csv" in page
    assert (
        "Contains public sector information licensed under the Open Government Licence v3.0."
        in page
    )


def test_upload_shows_a_preview_then_confirm_imports(admin_client, import_dir):
    hartlepool = OrganisationFactory(name="Old name", kind="district", gss_code="E06000001")

    response = upload(admin_client, ONS_FILE.read_bytes())

    assert response.status_code == 200
    assert response.templates[0].name == "admin/partnerships/organisation/import_preview.html"
    page = response.content.decode()
    assert "create <strong>354</strong> organisations" in page
    assert "update <strong>1</strong> organisation<" in page
    assert "leave <strong>0</strong> organisations unchanged" in page
    assert "name: Old name → Hartlepool" in page
    assert "kind: District council → Unitary authority" in page
    assert '<input type="submit" value="Confirm import"' in page
    assert Organisation.objects.count() == 1  # nothing yet
    token = response.context["token"]
    assert (import_dir / f"{token}.csv").read_bytes() == ONS_FILE.read_bytes()

    response = admin_client.post(reverse(CONFIRM_URL), {"token": token}, follow=True)

    assert response.redirect_chain == [(reverse("admin:partnerships_organisation_changelist"), 302)]
    assert "Imported organisations.csv: 354 created, 1 updated, 0 unchanged." in [
        str(m) for m in response.context["messages"]
    ]
    assert Organisation.objects.count() == 355
    hartlepool.refresh_from_db()
    assert (hartlepool.name, hartlepool.kind) == ("Hartlepool", "unitary")
    assert not (import_dir / f"{token}.csv").exists()
    assert SESSION_KEY not in admin_client.session


def test_the_preview_lists_renames_and_changes_to_partnership_members_first(admin_client):
    member = OrganisationFactory(name="Middlesbrough", gss_code="E06000002", region="North East")
    MembershipFactory(
        partnership=PartnershipFactory(name="Tees Valley Shared Services"), organisation=member
    )
    OrganisationFactory(name="Stockton-on-Tees", gss_code="E06000004", region="North East")
    OrganisationFactory(name="Old name", gss_code="E06000001", region="North East")
    raw = (
        b"name,kind,gss_code,region\r\n"
        b"Stockton-on-Tees,unitary,E06000004,-\r\n"  # 2: an ordinary update
        b"Middlesbrough,unitary,E06000002,-\r\n"  # 3: a member's region cleared
        b"Hartlepool,unitary,E06000001,\r\n"  # 4: a rename; blank region kept
        b"Darlington,unitary,E06000005,\r\n"  # 5: new
    )

    response = upload(admin_client, raw)

    page = response.content.decode()
    assert "update <strong>3</strong> organisations" in page
    important = page.index(
        "<h2>Check these first: renames and changes to partnership members (2)</h2>"
    )
    confirm = page.index('value="Confirm import"')
    created = page.index("<caption>To be created (1)</caption>")
    others = page.index("<caption>Other updates (1)</caption>")
    assert important < confirm < created < others
    first = page[important:confirm]
    assert first.index("Middlesbrough") < first.index("Old name")
    assert "<li>Tees Valley Shared Services</li>" in first
    assert "region: North East → (blank)" in first
    assert "name: Old name → Hartlepool" in first
    assert "region: North East" not in first[first.index("Old name") :]
    assert "Stockton-on-Tees" not in first
    assert "region: North East → (blank)" in page[others:]

    admin_client.post(reverse(CONFIRM_URL), {"token": response.context["token"]})

    assert dict(Organisation.objects.values_list("gss_code", "region")) == {
        "E06000001": "North East",
        "E06000002": "",
        "E06000004": "",
        "E06000005": "",
    }


def test_a_preview_without_renames_or_member_changes_has_no_check_first_list(admin_client):
    OrganisationFactory(name="Hartlepool", gss_code="E06000001", region="")

    page = upload(
        admin_client, b"name,kind,gss_code,region\r\nHartlepool,unitary,E06000001,North East\r\n"
    ).content.decode()

    assert "Check these first" not in page
    assert "<caption>To be updated (1)</caption>" in page
    assert "region: (blank) → North East" in page


def test_the_upload_page_says_how_to_clear_a_region(admin_client):
    page = admin_client.get(reverse(IMPORT_URL)).content.decode()

    assert "A blank cell leaves the organisation's region as it is." in page
    assert "To clear a region on purpose, put a single <code>-</code> (hyphen) in the cell" in page


def test_confirming_twice_imports_once(admin_client):
    token = upload(admin_client, ONS_FILE.read_bytes()).context["token"]
    admin_client.post(reverse(CONFIRM_URL), {"token": token})

    response = admin_client.post(reverse(CONFIRM_URL), {"token": token})

    assert response.status_code == 200
    assert "This preview has expired or its import has already been done" in (
        response.content.decode()
    )
    assert Organisation.objects.count() == 355


def test_confirm_checks_the_file_again_against_the_organisations_as_they_are_then(admin_client):
    raw = b"name,kind,gss_code\r\nShared Trust,nhs,\r\n"
    token = upload(admin_client, raw).context["token"]
    # Meanwhile, two organisations without a code get that name.
    OrganisationFactory.create_batch(2, name="Shared Trust", kind="nhs", gss_code=None)
    before = snapshot()

    response = admin_client.post(reverse(CONFIRM_URL), {"token": token})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Line 2, name: 2 organisations without a GSS code are called “Shared Trust”" in page
    assert snapshot() == before


@pytest.mark.parametrize(
    "token", ["", "../../../etc/passwd", "0" * 32, "ABCDEF" + "0" * 26, "not-hex"]
)
def test_confirm_trusts_only_the_token_kept_in_the_session(admin_client, token, import_dir):
    real = upload(admin_client, ONS_FILE.read_bytes()).context["token"]
    assert token != real

    response = admin_client.post(reverse(CONFIRM_URL), {"token": token})

    assert response.status_code == 200
    assert "This preview has expired" in response.content.decode()
    assert Organisation.objects.count() == 0
    assert (import_dir / f"{real}.csv").exists()  # still there to confirm properly


def test_another_administrators_token_is_refused(admin_client, client, import_dir):
    token = upload(admin_client, ONS_FILE.read_bytes()).context["token"]
    other = UserFactory(organisation=None, role="", is_staff=True, is_superuser=True)
    client.force_login(other)  # the same test client: a new session for the other admin

    response = client.post(reverse(CONFIRM_URL), {"token": token})

    assert "This preview has expired" in response.content.decode()
    assert Organisation.objects.count() == 0


def test_a_bad_file_lists_every_problem_with_status_200_and_changes_nothing(admin_client):
    OrganisationFactory(name="Hartlepool", gss_code="E06000001")
    before = snapshot()
    raw = (
        b"name,kind,gss_code,region\r\n"
        b"Hartlepool Borough,unitary,E06000001,\r\n"
        b"Middlesbrough,Parish,E06000002,\r\n"
        b",unitary,E06000001,\r\n"
    )

    response = upload(admin_client, raw)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Fix these 3 problems in the file, then upload it again." in page
    assert "<li>Line 3, kind: “Parish” is not a kind of organisation." in page
    assert "<li>Line 4, name: enter a name</li>" in page
    assert (
        "<li>Line 4, gss_code: E06000001 is also on line 2. Each GSS code may appear once</li>"
        in page
    )
    assert "<title>Error: Import organisations from CSV" in page
    assert snapshot() == before


@pytest.mark.parametrize(
    "content,message",
    [
        (b"\x00\xff" * (5 * 1024 * 1024), "The file is 10.0 MB. Upload a file of 2 MB or less"),
        (b"", "The file is empty. Upload a CSV file with a header row: name,kind,gss_code,region"),
        (b"name,kind,gss_code,region\r\n", "The file has a header row but no organisations."),
        (bytes(range(256)) * 8, "The file is not a CSV file. Save it from your spreadsheet as CSV"),
        (
            b"name,kind\r\n" + b"A,unitary\r\n" * 100_000,
            "The file has more than 5,000 rows. Split it into files of 5,000 rows or fewer",
        ),
    ],
    ids=["10 MB binary", "empty", "header only", "binary", "100,000 rows"],
)
def test_an_unreadable_file_gets_a_clear_message_and_status_200(admin_client, content, message):
    response = upload(admin_client, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Organisation.objects.count() == 0


def test_submitting_without_a_file_asks_for_one(admin_client):
    response = admin_client.post(reverse(IMPORT_URL), {})

    assert response.status_code == 200
    assert '<a href="#id_file">Choose a CSV file to upload</a>' in response.content.decode()


def test_export_downloads_every_organisation_as_organisations_csv(admin_client):
    OrganisationFactory(name="Hartlepool", kind="unitary", gss_code="E06000001", region="")

    response = admin_client.get(reverse(EXPORT_URL))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="organisations.csv"'
    assert response.content == (
        b"\xef\xbb\xbfname,kind,gss_code,region\r\nHartlepool,unitary,E06000001,\r\n"
    )


def test_an_exported_file_uploaded_again_has_nothing_to_import(admin_client):
    upload(admin_client, ONS_FILE.read_bytes())
    admin_client.post(reverse(CONFIRM_URL), {"token": admin_client.session[SESSION_KEY]["token"]})
    exported = admin_client.get(reverse(EXPORT_URL)).content

    response = upload(admin_client, exported)

    page = response.content.decode()
    assert "create <strong>0</strong> organisations" in page
    assert "update <strong>0</strong> organisations" in page
    assert "leave <strong>355</strong> organisations unchanged" in page
    assert "nothing to import" in page
    assert "Confirm import" not in page


@pytest.mark.parametrize("url", [IMPORT_URL, CONFIRM_URL, EXPORT_URL])
def test_people_who_are_not_staff_are_sent_to_the_admin_sign_in(client, council_a, url):
    client.force_login(council_a.ict_manager)

    for response in (client.get(reverse(url)), client.post(reverse(url), {"token": "0" * 32})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login") + "?next=")
    assert Organisation.objects.count() == 1


def test_staff_without_the_add_and_change_permissions_cannot_import(client):
    staff = UserFactory(organisation=None, role="", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_organisation", "change_organisation"])
    )
    client.force_login(staff)

    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert upload(client, ONS_FILE.read_bytes()).status_code == 403
    assert client.get(reverse(EXPORT_URL)).status_code == 200
    changelist = client.get(reverse("admin:partnerships_organisation_changelist"))
    assert "Import organisations from CSV" not in changelist.content.decode()
    assert "Export all as CSV" in changelist.content.decode()
    assert Organisation.objects.count() == 0
