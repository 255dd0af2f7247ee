"""What importing a file will do (a plan of creations, updates and unchanged rows,
shown in the admin's preview), and doing it in one transaction.

Updates that need a second look come first: those that rename an organisation or change
one that is a current member of a partnership (whose reports and exports show it)."""

from dataclasses import dataclass, field, replace

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Membership, Organisation, OrganisationKind
from .columns import (
    cell,
    check_gss_code,
    check_kind,
    check_name,
    check_name_without_code,
    check_region,
    header_index,
    name_key,
    region_cell,
)
from .problems import ImportRefused, Problem
from .reading import Rows, read_csv

_BATCH = 500
NO_ROWS = (
    "The file has a header row but no organisations. Add one row for each organisation "
    "under the header, then upload it again"
)
CHANGED_MEANWHILE = (
    "Someone changed the organisations while this file was being imported, so "
    "nothing was imported. Upload the file again"
)


@dataclass(frozen=True)
class NewOrganisation:
    """A checked row. `region` is None when the file leaves it alone (a blank cell or
    no region column): an existing organisation keeps its region, a new one has none."""

    line: int
    name: str
    kind: str
    gss_code: str | None
    region: str | None

    @property
    def kind_label(self) -> str:
        return OrganisationKind(self.kind).label


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str

    def _display(self, value: str) -> str:
        if self.field == "kind":
            return OrganisationKind(value).label if value in OrganisationKind.values else value
        return value or "(blank)"

    @property
    def old_display(self) -> str:
        return self._display(self.old)

    @property
    def new_display(self) -> str:
        return self._display(self.new)


@dataclass(frozen=True)
class Update:
    line: int
    organisation: Organisation  # as it is now
    name: str
    kind: str
    region: str
    changes: tuple[FieldChange, ...]
    # Names of the partnerships the organisation is a current member of.
    partnerships: tuple[str, ...] = ()

    @property
    def renames(self) -> bool:
        return any(change.field == "name" for change in self.changes)

    @property
    def important(self) -> bool:
        """Renames, and any change to a current partnership member, need a second look."""
        return self.renames or bool(self.partnerships)


@dataclass
class ImportPlan:
    """What importing the file will do; `apply` carries it out. `updates` lists the
    important ones (renames and changes to current partnership members) first, each
    group in file order."""

    creates: list[NewOrganisation] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: list[tuple[int, Organisation]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def important_updates(self) -> list[Update]:
        return [update for update in self.updates if update.important]

    @property
    def other_updates(self) -> list[Update]:
        return [update for update in self.updates if not update.important]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return f"Created {self.created}, updated {self.updated}, unchanged {self.unchanged}"


def validate(rows: Rows) -> ImportPlan:
    """Check every row and work out what importing them would do. Raises
    ImportRefused with every problem found (nothing may be imported then)."""
    index, ignored, problems = header_index(rows)
    if problems:
        raise ImportRefused(problems)
    if not rows.records:
        raise ImportRefused([Problem(NO_ROWS)])
    parsed: list[NewOrganisation] = []
    code_lines: dict[str, int] = {}
    name_lines: dict[str, int] = {}
    for line, cells in rows.records:
        name, region = cell(index, cells, "name"), region_cell(index, cells)
        row_problems = check_name(name, line)
        kind, kind_problems = check_kind(cell(index, cells, "kind"), line)
        code, code_problems = check_gss_code(cell(index, cells, "gss_code"), line, code_lines)
        row_problems += kind_problems + code_problems
        if code is None and name:
            row_problems += check_name_without_code(name, line, name_lines)
        row_problems += check_region(region, line)
        problems += row_problems
        if not row_problems:
            parsed.append(NewOrganisation(line, name, kind, code, region))
    if problems:
        raise ImportRefused(problems)
    return _plan(parsed, ignored)


def _existing(parsed: list[NewOrganisation]):
    codes = [row.gss_code for row in parsed if row.gss_code]
    by_code: dict[str, Organisation] = {}
    for start in range(0, len(codes), _BATCH):
        for organisation in Organisation.objects.filter(gss_code__in=codes[start : start + _BATCH]):
            by_code[organisation.gss_code] = organisation
    by_name: dict[str, list[Organisation]] = {}
    if any(row.gss_code is None for row in parsed):
        for organisation in Organisation.objects.filter(gss_code__isnull=True).order_by("pk"):
            by_name.setdefault(name_key(organisation.name), []).append(organisation)
    return by_code, by_name


def _current_partnerships(organisation_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The partnerships each organisation is a current member of, by name: one query
    however many organisations (none for none)."""
    if not organisation_ids:
        return {}
    memberships = Membership.objects.current()
    if len(organisation_ids) <= _BATCH:
        memberships = memberships.filter(organisation_id__in=organisation_ids)
    wanted = set(organisation_ids)
    names: dict[int, list[str]] = {}
    for organisation_id, partnership in memberships.order_by("partnership__name").values_list(
        "organisation_id", "partnership__name"
    ):
        if organisation_id in wanted:
            names.setdefault(organisation_id, []).append(partnership)
    return {organisation_id: tuple(found) for organisation_id, found in names.items()}


def _plan(parsed: list[NewOrganisation], ignored: list[str]) -> ImportPlan:
    by_code, by_name = _existing(parsed)
    plan = ImportPlan(ignored_columns=ignored)
    problems: list[Problem] = []
    for row in parsed:
        if row.gss_code:
            existing = by_code.get(row.gss_code)
        else:
            matches = by_name.get(name_key(row.name), [])
            if len(matches) > 1:
                problems.append(
                    Problem(
                        f"{len(matches)} organisations without a GSS code are called "
                        f"“{row.name}”, so this row could update either. Give this row a "
                        "GSS code, or rename one of them in the admin first",
                        row.line,
                        "name",
                    )
                )
                continue
            existing = matches[0] if matches else None
        if existing is None:
            plan.creates.append(row)
            continue
        region = existing.region if row.region is None else row.region
        changes = tuple(
            FieldChange(label, old, new)
            for label, old, new in (
                ("name", existing.name, row.name),
                ("kind", existing.kind, row.kind),
                ("region", existing.region, region),
            )
            if old != new
        )
        if changes:
            plan.updates.append(Update(row.line, existing, row.name, row.kind, region, changes))
        else:
            plan.unchanged.append((row.line, existing))
    if problems:
        raise ImportRefused(problems)
    members = _current_partnerships([update.organisation.pk for update in plan.updates])
    updates = [
        replace(update, partnerships=members.get(update.organisation.pk, ()))
        for update in plan.updates
    ]
    plan.updates = [u for u in updates if u.important] + [u for u in updates if not u.important]
    return plan


def check(raw: bytes) -> ImportPlan:
    """Read and validate a file: the plan, or ImportRefused with every problem."""
    return validate(read_csv(raw))


def apply(plan: ImportPlan) -> ImportResult:
    """Carry out a plan in one transaction."""
    now = timezone.now()
    with transaction.atomic():
        Organisation.objects.bulk_create(
            [
                Organisation(
                    name=row.name, kind=row.kind, gss_code=row.gss_code, region=row.region or ""
                )
                for row in plan.creates
            ],
            batch_size=_BATCH,
        )
        Organisation.objects.bulk_update(
            [
                Organisation(
                    pk=update.organisation.pk,
                    name=update.name,
                    kind=update.kind,
                    region=update.region,
                    updated_at=now,
                )
                for update in plan.updates
            ],
            ["name", "kind", "region", "updated_at"],
            batch_size=_BATCH,
        )
    return ImportResult(len(plan.creates), len(plan.updates), len(plan.unchanged))


def import_csv(raw: bytes) -> ImportResult:
    """Check the file against the organisations as they are now and, if nothing is
    wrong, import it, all in one transaction. Raises ImportRefused otherwise."""
    try:
        with transaction.atomic():
            return apply(check(raw))
    except IntegrityError:
        raise ImportRefused([Problem(CHANGED_MEANWHILE)]) from None
