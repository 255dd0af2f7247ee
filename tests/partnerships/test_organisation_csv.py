"""Importing and exporting organisations as CSV: the format, every kind of bad file, and
the management commands."""

import io
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ops.demo import PARTNERSHIP_NAME, seed_demo
from partnerships.models import Organisation, OrganisationKind
from partnerships.organisation_csv import reading
from partnerships.organisation_csv.export import export_csv
from partnerships.organisation_csv.planning import (
    ImportPlan,
    ImportResult,
    check,
    import_csv,
    validate,
)
from partnerships.organisation_csv.problems import ImportRefused
from partnerships.organisation_csv.reading import read_csv
from tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

ONS_FILE = Path(settings.BASE_DIR) / "data" / "organisations-ons-2021.csv"
HEADER = "name,kind,gss_code,region"


def csv_bytes(*lines: str, bom: bool = False, encoding: str = "utf-8", newline: str = "\r\n"):
    text = newline.join(lines) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def snapshot():
    return list(
        Organisation.objects.order_by("pk").values_list("name", "kind", "gss_code", "region")
    )


def refused(import_file, raw: bytes) -> list[str]:
    """The problems the import names when it refuses the file (and it must refuse)."""
    with pytest.raises(ImportRefused) as refusal:
        import_file(raw)
    return [str(problem) for problem in refusal.value.problems]


# The shipped example file


def test_the_shipped_ons_file_imports_355_councils_with_the_right_kinds():
    result = import_csv(ONS_FILE.read_bytes())

    assert result == ImportResult(created=355, updated=0, unchanged=0)
    assert Organisation.objects.count() == 355
    kinds = Counter(Organisation.objects.values_list("kind", flat=True))
    assert kinds == {
        "district": 181,
        "unitary": 81,
        "metropolitan": 36,
        "london_borough": 33,
        "county": 24,
    }
    assert Organisation.objects.get(gss_code="E09000001").kind == "london_borough"
    assert Organisation.objects.get(gss_code="W06000001").kind == "unitary"
    assert Organisation.objects.get(gss_code="E06000010").name == "Kingston upon Hull, City of"


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    raw = ONS_FILE.read_bytes()
    import_csv(raw)
    before = snapshot()

    assert import_csv(raw) == ImportResult(created=0, updated=0, unchanged=355)
    assert snapshot() == before


# Matching and updating


def test_a_row_with_a_known_gss_code_updates_that_organisations_name_kind_and_region():
    existing = OrganisationFactory(
        name="Old name", kind=OrganisationKind.DISTRICT, gss_code="E06000001", region="North"
    )
    raw = csv_bytes(HEADER, "Hartlepool Borough Council,unitary,e06000001,North East")

    plan = check(raw)
    assert isinstance(plan, ImportPlan)
    assert [
        (u.organisation.pk, [(c.field, c.old, c.new) for c in u.changes]) for u in plan.updates
    ] == [
        (
            existing.pk,
            [
                ("name", "Old name", "Hartlepool Borough Council"),
                ("kind", "district", "unitary"),
                ("region", "North", "North East"),
            ],
        )
    ]
    assert import_csv(raw) == ImportResult(created=0, updated=1, unchanged=0)
    existing.refresh_from_db()
    assert (existing.name, existing.kind, existing.gss_code, existing.region) == (
        "Hartlepool Borough Council",
        "unitary",
        "E06000001",
        "North East",
    )
    assert existing.updated_at > existing.created_at
    assert Organisation.objects.count() == 1


def test_a_row_without_a_gss_code_updates_the_organisation_without_a_code_of_that_name():
    police = OrganisationFactory(name="Thames Valley Police", kind="police", gss_code=None)
    council = OrganisationFactory(name="Cherwell", kind="district", gss_code="E07000177")
    raw = csv_bytes(
        HEADER,
        "THAMES VALLEY POLICE,police,,South East",
        "Cherwell,district,,",  # a council with a code is not matched by name
        "Oxfordshire Fire and Rescue Service,Fire and rescue service,,",
    )

    assert import_csv(raw) == ImportResult(created=2, updated=1, unchanged=0)
    police.refresh_from_db()
    assert (police.name, police.region) == ("THAMES VALLEY POLICE", "South East")
    assert Organisation.objects.filter(name="Cherwell").count() == 2
    assert council.gss_code == "E07000177"
    assert Organisation.objects.get(name__startswith="Oxfordshire Fire").kind == "fire"


def test_kind_is_accepted_as_its_value_or_its_label_in_any_case():
    raw = csv_bytes(
        HEADER,
        "A,Unitary authority,,",
        "B,LONDON_BOROUGH,,",
        "C,london borough council,,",
        "D,  nhs ,,",
        "E,Metropolitan Borough Council,,",
    )

    import_csv(raw)

    kinds = dict(Organisation.objects.values_list("name", "kind"))
    assert kinds == {
        "A": "unitary",
        "B": "london_borough",
        "C": "london_borough",
        "D": "nhs",
        "E": "metropolitan",
    }


def test_header_names_may_be_in_any_case_and_order_with_spaces_and_extra_columns():
    raw = csv_bytes(
        " Region , GSS_Code,Population, KIND ,Name ", "South West,E06000022,193000,unitary,Bath"
    )

    plan = check(raw)

    assert isinstance(plan, ImportPlan)
    assert plan.ignored_columns == ["population"]
    import_csv(raw)
    assert snapshot() == [("Bath", "unitary", "E06000022", "South West")]


def test_only_name_and_kind_columns_are_needed_and_regions_are_left_alone_without_that_column():
    council = OrganisationFactory(name="Old", gss_code="E06000001", region="North East")
    import_csv(csv_bytes("name,kind,gss_code", "Hartlepool,unitary,E06000001"))
    import_csv(csv_bytes("kind,name", "police,Cleveland Police"))

    council.refresh_from_db()
    assert (council.name, council.region) == ("Hartlepool", "North East")
    assert Organisation.objects.get(name="Cleveland Police").gss_code is None


# Regions: a blank cell leaves the region alone, "-" clears it


def test_a_blank_region_cell_leaves_the_stored_region_alone():
    council = OrganisationFactory(name="Hartlepool", gss_code="E06000001", region="North East")
    police = OrganisationFactory(name="Cleveland Police", kind="police", gss_code=None)
    police.region = "North East"
    police.save()
    raw = csv_bytes(
        HEADER,
        "Hartlepool,unitary,E06000001,",
        "Cleveland Police,police,,   ",
        "Middlesbrough,unitary,E06000002,",
    )

    plan = check(raw)

    assert [line for line, _organisation in plan.unchanged] == [2, 3]
    assert plan.updates == []
    assert import_csv(raw) == ImportResult(created=1, updated=0, unchanged=2)
    council.refresh_from_db()
    police.refresh_from_db()
    assert (council.region, police.region) == ("North East", "North East")
    assert Organisation.objects.get(gss_code="E06000002").region == ""


def test_a_hyphen_in_the_region_cell_clears_the_region_on_purpose():
    council = OrganisationFactory(name="Hartlepool", gss_code="E06000001", region="North East")
    raw = csv_bytes(HEADER, "Hartlepool,unitary,E06000001, - ", "Middlesbrough,unitary,E06000002,-")

    plan = check(raw)

    assert [(c.field, c.old_display, c.new_display) for c in plan.updates[0].changes] == [
        ("region", "North East", "(blank)")
    ]
    assert import_csv(raw) == ImportResult(created=1, updated=1, unchanged=0)
    council.refresh_from_db()
    assert council.region == ""
    assert Organisation.objects.get(gss_code="E06000002").region == ""


def test_a_region_that_really_is_a_hyphen_is_written_with_an_apostrophe():
    council = OrganisationFactory(name="Hartlepool", gss_code="E06000001", region="North East")

    import_csv(csv_bytes(HEADER, "Hartlepool,unitary,E06000001,'-"))

    council.refresh_from_db()
    assert council.region == "-"


@pytest.mark.parametrize("region", ["-", " - ", "-North", ""])
def test_export_never_writes_the_clearing_marker_so_a_round_trip_keeps_every_region(region):
    organisation = OrganisationFactory(name="Hartlepool", gss_code="E06000001", region=region)

    data = export_csv(Organisation.objects.all())

    region_cell = data.decode("utf-8-sig").splitlines()[1].split(",")[3]
    assert region_cell.strip() != "-"
    import_csv(data)
    organisation.refresh_from_db()
    assert organisation.region == (region.strip() or "")


# Updates that need a second look come first


def test_renames_and_changes_to_current_partnership_members_come_first_with_their_partnerships():
    renamed = OrganisationFactory(name="Old name", gss_code="E06000001", region="North East")
    member = OrganisationFactory(name="Middlesbrough", gss_code="E06000002", region="North East")
    former = OrganisationFactory(name="Redcar", gss_code="E06000003", region="North East")
    quiet = OrganisationFactory(name="Stockton", gss_code="E06000004", region="North East")
    for name in ["Tees Valley Shared Services", "North East Digital"]:
        MembershipFactory(partnership=PartnershipFactory(name=name), organisation=member)
    MembershipFactory(
        organisation=former,
        joined_on=timezone.localdate().replace(year=2020),
        left_on=timezone.localdate(),  # left today: no longer a member
    )
    raw = csv_bytes(
        HEADER,
        "Stockton,unitary,E06000004,-",  # 2: clears the region of a non-member
        "Redcar,unitary,E06000003,North",  # 3: a former member
        "Middlesbrough,unitary,E06000002,-",  # 4: clears a current member's region
        "Hartlepool,unitary,E06000001,",  # 5: a rename (of a non-member)
    )

    plan = check(raw)

    assert [(u.line, u.organisation.pk, u.partnerships) for u in plan.updates] == [
        (4, member.pk, ("North East Digital", "Tees Valley Shared Services")),
        (5, renamed.pk, ()),
        (2, quiet.pk, ()),
        (3, former.pk, ()),
    ]
    assert [u.line for u in plan.important_updates] == [4, 5]
    assert [u.line for u in plan.other_updates] == [2, 3]
    assert [(c.field, c.old, c.new) for c in plan.important_updates[1].changes] == [
        ("name", "Old name", "Hartlepool")
    ]
    assert import_csv(raw) == ImportResult(created=0, updated=4, unchanged=0)


def test_the_plan_finds_partnership_members_in_a_fixed_number_of_queries():
    def queries_to_plan(count: int) -> int:
        organisations = OrganisationFactory.create_batch(count)
        for organisation in organisations:
            MembershipFactory(organisation=organisation)
        raw = csv_bytes(
            "name,kind,gss_code",
            *(f"New {o.name},unitary,{o.gss_code}" for o in organisations),
        )
        with CaptureQueriesContext(connection) as queries:
            plan = check(raw)
        assert len(plan.important_updates) == count
        assert all(len(u.partnerships) == 1 for u in plan.updates)
        return len(queries)

    assert queries_to_plan(2) == queries_to_plan(40) == 2  # organisations, memberships


def test_importing_the_shipped_file_after_the_demo_clears_no_region_and_shows_the_renames_first():
    seed_demo()
    regions = dict(Organisation.objects.values_list("pk", "region"))
    assert set(regions.values()) == {"South East"}

    plan = check(ONS_FILE.read_bytes())

    assert [
        (u.organisation.name, [(c.field, c.old, c.new) for c in u.changes], u.partnerships)
        for u in plan.important_updates
    ] == [
        (
            "Cherwell District Council",
            [("name", "Cherwell District Council", "Cherwell")],
            (PARTNERSHIP_NAME,),
        ),
        (
            "Oxfordshire County Council",
            [("name", "Oxfordshire County Council", "Oxfordshire")],
            (PARTNERSHIP_NAME,),
        ),
    ]
    assert plan.updates == plan.important_updates
    import_csv(ONS_FILE.read_bytes())
    for pk, region in regions.items():
        assert Organisation.objects.get(pk=pk).region == region


def test_blank_rows_and_trailing_separator_rows_are_skipped():
    raw = csv_bytes(HEADER, "", "Hartlepool,unitary,E06000001,", ",,,", "")

    assert import_csv(raw) == ImportResult(created=1, updated=0, unchanged=0)


# Encodings and line ends


@pytest.mark.parametrize("bom", [True, False], ids=["with BOM", "without BOM"])
def test_utf8_files_are_read_with_or_without_a_byte_order_mark(bom):
    raw = csv_bytes(HEADER, "Ynys Môn,unitary,W06000001,Cymru", bom=bom)

    import_csv(raw)

    assert snapshot() == [("Ynys Môn", "unitary", "W06000001", "Cymru")]


def test_a_windows_1252_file_saved_by_excel_keeps_its_accents():
    raw = csv_bytes(
        HEADER, "Ynys Môn,Unitary authority,W06000001,Gogledd Cymru – Wales", encoding="cp1252"
    )
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")

    import_csv(raw)

    assert snapshot() == [("Ynys Môn", "unitary", "W06000001", "Gogledd Cymru – Wales")]


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"], ids=["CRLF", "LF", "CR"])
def test_any_line_ends_and_quoted_fields_with_commas_and_quotes_are_read(newline):
    raw = csv_bytes(
        HEADER,
        '"Bristol, City of",unitary,E06000023,"South West"',
        '"The ""Best"" Trust",nhs,,',
        newline=newline,
    )

    import_csv(raw)

    assert sorted(Organisation.objects.values_list("name", flat=True)) == [
        "Bristol, City of",
        'The "Best" Trust',
    ]


def test_line_numbers_count_the_header_as_line_1_and_include_blank_rows():
    rows = read_csv(csv_bytes(HEADER, "A,unitary,,", "", "B,district,,"))

    assert rows.header_line == 1
    assert [line for line, _cells in rows.records] == [2, 4]


# Bad files: every problem, with its line and column, and nothing written


def test_a_bad_row_among_good_rows_imports_nothing_and_lists_every_problem():
    existing = OrganisationFactory(name="Hartlepool", gss_code="E06000001")
    before = snapshot()
    raw = csv_bytes(
        HEADER,
        "Hartlepool Borough Council,unitary,E06000001,",  # 2: fine, would update
        "Middlesbrough,unitary,E06000002,",  # 3: fine, would create
        ",unitary,E06000003,",  # 4
        "Redcar and Cleveland,unitary,E06000004,",
        "Stockton-on-Tees,unitary,E06000005,",
        "Darlington,Parish,E06000006,",  # 7
        "Halton,unitary,E06000001,",  # 8
        "Warrington,,E06000007,",  # 9
        "Blackburn,unitary,E0600001,",  # 10
        "Blackpool,unitary,E06000009,",
        ",Village,X1,",  # 12: three problems
        "Thames Valley Police,police,,",
        "thames valley police,police,,",  # 14
        "Long,unitary,," + "x" * 101,  # 15
    )

    problems = refused(import_csv, raw)

    kinds = ", ".join(OrganisationKind.values)
    assert problems == [
        "Line 4, name: enter a name",
        f"Line 7, kind: “Parish” is not a kind of organisation. Use one of: {kinds}",
        "Line 8, gss_code: E06000001 is also on line 2. Each GSS code may appear once",
        f"Line 9, kind: enter a kind of organisation. Use one of: {kinds}",
        "Line 10, gss_code: E0600001 is not a GSS code. Use a letter E, W, S or N followed by "
        "8 digits, like E06000001, or leave it blank",
        "Line 12, name: enter a name",
        f"Line 12, kind: “Village” is not a kind of organisation. Use one of: {kinds}",
        "Line 12, gss_code: X1 is not a GSS code. Use a letter E, W, S or N followed by "
        "8 digits, like E06000001, or leave it blank",
        "Line 14, name: “thames valley police” without a GSS code is also on line 13. "
        "Each organisation without a GSS code may appear once",
        "Line 15, region: the region is 101 characters long. Use 100 characters or fewer",
    ]
    assert snapshot() == before
    existing.refresh_from_db()
    assert existing.name == "Hartlepool"


def test_a_name_longer_than_200_characters_is_a_problem():
    problems = refused(import_csv, csv_bytes(HEADER, "N" * 201 + ",unitary,,"))

    assert problems == [
        "Line 2, name: the name is 201 characters long. Use 200 characters or fewer"
    ]


@pytest.mark.parametrize(
    "header,missing",
    [
        ("gss_code,region", "name and kind columns"),
        ("name,gss_code,region", "kind column"),
        ("Hartlepool,unitary,E06000001,", "name and kind columns"),
    ],
)
def test_missing_columns_are_named_and_nothing_is_imported(header, missing):
    problems = refused(import_csv, csv_bytes(header, "Hartlepool,unitary,E06000001,"))

    assert problems == [
        f"Line 1: the header row has no {missing}. The first row must name the columns: "
        "name,kind,gss_code,region (gss_code and region may be left out)"
    ]
    assert Organisation.objects.count() == 0


def test_a_column_named_twice_is_a_problem():
    problems = refused(import_csv, csv_bytes("name,kind,Name", "A,unitary,B"))

    assert problems == ["Line 1: the column name appears more than once. Keep one of them"]


def test_two_existing_organisations_without_a_code_and_the_same_name_cannot_be_matched():
    OrganisationFactory.create_batch(2, name="Shared Services Trust", kind="nhs", gss_code=None)

    problems = refused(import_csv, csv_bytes(HEADER, "shared services trust,nhs,,"))

    assert problems == [
        "Line 2, name: 2 organisations without a GSS code are called “shared services trust”, "
        "so this row could update either. Give this row a GSS code, or rename one of them in "
        "the admin first"
    ]


@pytest.mark.parametrize(
    "raw",
    [b"", b"\xef\xbb\xbf", b"  \r\n\r\n", b",,,\r\n,,,\r\n"],
    ids=["empty", "BOM", "blank", "commas"],
)
def test_an_empty_file_says_what_to_upload(raw):
    assert refused(import_csv, raw) == [
        "The file is empty. Upload a CSV file with a header row: name,kind,gss_code,region"
    ]


def test_a_file_with_only_a_header_says_to_add_organisations():
    assert refused(import_csv, csv_bytes(HEADER)) == [
        "The file has a header row but no organisations. Add one row for each organisation "
        "under the header, then upload it again"
    ]


def test_a_10_mb_binary_file_is_refused_for_its_size_and_nothing_changes():
    OrganisationFactory()
    before = snapshot()
    raw = b"\x00\x01\x02\xff" * (10 * 1024 * 1024 // 4)

    assert refused(import_csv, raw) == ["The file is 10.0 MB. Upload a file of 2 MB or less"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "raw",
    [
        b"%PDF-1.7\n\x00\x00binary" + bytes(range(256)) * 4,  # NUL bytes
        "name,kind\r\nA,unitary\r\n".encode("utf-16"),  # a Unicode text file: NULs
        b"PK\x03\x04\x14\x00" + b"\x81\x8d\x8f" * 100,  # undecodable even as Windows-1252
        b"name,kind\r\nA\x07,unitary\r\n",  # control characters
    ],
    ids=["nul bytes", "utf-16", "undecodable", "control characters"],
)
def test_a_binary_file_is_not_a_csv_file(raw):
    assert refused(import_csv, raw) == [
        "The file is not a CSV file. Save it from your spreadsheet as CSV, then upload it again"
    ]


def test_100000_rows_are_refused_and_nothing_changes():
    OrganisationFactory()
    before = snapshot()
    raw = ("name,kind\r\n" + "A,unitary\r\n" * 100_000).encode()
    assert len(raw) < reading.MAX_BYTES  # refused for its rows, not its size

    assert refused(import_csv, raw) == [
        "The file has more than 5,000 rows. Split it into files of 5,000 rows or fewer"
    ]
    assert snapshot() == before


def test_5000_rows_are_allowed():
    raw = (
        "name,kind,gss_code\r\n" + "".join(f"C{n},unitary,E06{n:06d}\r\n" for n in range(5000))
    ).encode()

    plan = validate(read_csv(raw))

    assert isinstance(plan, ImportPlan)
    assert len(plan.creates) == 5000


def test_an_unclosed_quote_that_runs_past_the_field_limit_is_reported():
    raw = b'name,kind\r\n"A,unitary\r\n' + b"x" * 200_000

    assert refused(import_csv, raw) == [
        'Line 2 could not be read: a quote (") may not be closed. Check the quotes on that '
        "line, then upload the file again"
    ]


# Export


def test_export_writes_the_import_format_with_a_bom_and_crlf_line_ends():
    OrganisationFactory(
        name="Hartlepool", kind="unitary", gss_code="E06000001", region="North East"
    )
    OrganisationFactory(name="Bristol, City of", kind="unitary", gss_code="E06000023", region="")
    OrganisationFactory(name="Thames Valley Police", kind="police", gss_code=None, region="")

    data = export_csv(Organisation.objects.order_by("name"))

    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == (
        "name,kind,gss_code,region\r\n"
        '"Bristol, City of",unitary,E06000023,\r\n'
        "Hartlepool,unitary,E06000001,North East\r\n"
        "Thames Valley Police,police,,\r\n"
    )


def test_export_then_import_is_a_round_trip_that_changes_nothing():
    import_csv(ONS_FILE.read_bytes())
    OrganisationFactory(name='=HYPERLINK("http://example.invalid")', kind="other", gss_code=None)
    OrganisationFactory(name="Ynys Môn", kind="unitary", gss_code="W06000099", region="Cymru")
    OrganisationFactory(name='Trust "A", North', kind="nhs", gss_code=None, region="-North")
    OrganisationFactory(name="Hyphen Trust", kind="nhs", gss_code=None, region="-")
    before = snapshot()

    data = export_csv(Organisation.objects.all())

    assert b"'=HYPERLINK" in data  # a spreadsheet shows it as text, never runs it
    assert b"Hyphen Trust,nhs,,'-\r\n" in data  # never the bare marker, which clears
    assert import_csv(data) == ImportResult(created=0, updated=0, unchanged=359)
    assert snapshot() == before


# Management commands


def test_the_import_command_prints_the_counts(tmp_path):
    OrganisationFactory(name="Old name", gss_code="E06000001")
    path = tmp_path / "organisations.csv"
    path.write_bytes(ONS_FILE.read_bytes())
    out = io.StringIO()

    call_command("import_organisations", str(path), stdout=out)

    assert out.getvalue().strip() == "Created 354, updated 1, unchanged 0"
    assert Organisation.objects.count() == 355


def test_the_import_command_lists_every_problem_and_fails_without_writing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(HEADER, "Hartlepool,unitary,E06000001,", ",Parish,E06000001,"))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported: 3 problems"):
        call_command("import_organisations", str(path), stderr=err)

    assert err.getvalue().splitlines() == [
        "Line 3, name: enter a name",
        "Line 3, kind: “Parish” is not a kind of organisation. Use one of: "
        + ", ".join(OrganisationKind.values),
        "Line 3, gss_code: E06000001 is also on line 2. Each GSS code may appear once",
    ]
    assert Organisation.objects.count() == 0


def test_the_import_command_refuses_a_big_file_before_reading_it(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"\x00" * (3 * 1024 * 1024))

    with pytest.raises(CommandError, match="The file is 3.0 MB. Upload a file of 2 MB or less"):
        call_command("import_organisations", str(path))


def test_the_import_command_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_bytes(ONS_FILE.read_bytes())
    out = io.StringIO()

    call_command("import_organisations", str(path), "--dry-run", stdout=out)

    assert "Would create 355, update 0, leave unchanged 0" in out.getvalue()
    assert Organisation.objects.count() == 0


def test_the_import_command_dry_run_lists_renames_and_member_changes_first(tmp_path):
    seed_demo()
    OrganisationFactory(name="Hartlepool", gss_code="E06000001", region="North East")
    path = tmp_path / "organisations.csv"
    path.write_bytes(
        csv_bytes(
            HEADER,
            "Hartlepool,unitary,E06000001,-",
            "Cherwell,district,E07000177,",
            "Oxfordshire County Council,county,E10000025,-",
        )
    )
    out = io.StringIO()

    call_command("import_organisations", str(path), "--dry-run", stdout=out)

    assert out.getvalue().splitlines() == [
        "Would create 0, update 3, leave unchanged 0 (dry run: nothing written)",
        "Check these first: 2 rename an organisation or change a current partnership member",
        f"  line 3: Cherwell District Council (member of {PARTNERSHIP_NAME}): "
        "name: Cherwell District Council -> Cherwell",
        f"  line 4: Oxfordshire County Council (member of {PARTNERSHIP_NAME}): "
        "region: South East -> (blank)",
        "Other updates (1):",
        "  line 2: Hartlepool: region: North East -> (blank)",
    ]
    assert Organisation.objects.get(gss_code="E10000025").region == "South East"


def test_the_export_command_writes_to_stdout_or_a_file(tmp_path):
    OrganisationFactory(name="Hartlepool", kind="unitary", gss_code="E06000001", region="")
    out = io.StringIO()

    call_command("export_organisations", stdout=out)
    call_command("export_organisations", str(tmp_path / "out.csv"), stdout=io.StringIO())

    expected = "\ufeffname,kind,gss_code,region\r\nHartlepool,unitary,E06000001,\r\n"
    assert out.getvalue() == expected
    assert (tmp_path / "out.csv").read_bytes() == expected.encode("utf-8")
