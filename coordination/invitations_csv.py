"""Inviting many people at once from a CSV file: one row per person, naming the member
organisation (GSS code or name), the email address, the role and the name. Checked as
a whole first, with every problem named by its line; invited all together or not at
all, like the organisation import.

    organisation,email,role,first_name,last_name,job_title
    E07000177,ruth.ashdown@cherwell.gov.uk,ict_manager,Ruth,Ashdown,ICT Manager
"""

import csv
import io
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from common.spreadsheets import unescape_cell
from partnerships.coordination import invite_person
from partnerships.invitations import send_invitation
from partnerships.models import Membership, Partnership, Role, User
from partnerships.organisation_csv.columns import name_key

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
REQUIRED = ("organisation", "email", "role", "first_name", "last_name")
COLUMNS = (*REQUIRED, "job_title")
ROLE_NAMES = {
    **{value: value for value in Role.values},
    "ict manager": Role.ICT_MANAGER,
    "executive": Role.EXECUTIVE,
}


@dataclass(frozen=True)
class Invitation:
    line: int
    organisation_id: int
    organisation_name: str
    email: str
    role: str
    first_name: str
    last_name: str
    job_title: str

    @property
    def role_label(self) -> str:
        return Role(self.role).label


class InvitationsRefused(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _rows(raw: bytes):
    if len(raw) > MAX_BYTES:
        raise InvitationsRefused(["The file is bigger than 1 MB. Split it into smaller files"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvitationsRefused(
            ["The file is not text saved as UTF-8. Save it as CSV UTF-8 and try again"]
        ) from None
    reader = csv.reader(io.StringIO(text))
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InvitationsRefused(
            [
                f"Line 1: the header has no {', '.join(missing)} column. The first row must "
                f"name the columns: {','.join(COLUMNS)} (job_title may be left out)"
            ]
        )
    index = {name: header.index(name) for name in COLUMNS if name in header}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        yield (
            line,
            {
                name: unescape_cell(cells[position].strip()).strip()
                if position < len(cells)
                else ""
                for name, position in index.items()
            },
        )


def check(raw: bytes, partnership: Partnership) -> list[Invitation]:
    """Every row checked; raises InvitationsRefused naming each problem by line."""
    members = list(
        Membership.objects.current().filter(partnership=partnership).select_related("organisation")
    )
    by_code = {m.organisation.gss_code: m.organisation for m in members if m.organisation.gss_code}
    by_name = {name_key(m.organisation.name): m.organisation for m in members}
    rows = list(_rows(raw))
    if not rows:
        raise InvitationsRefused(["The file has no people in it, only a header"])
    if len(rows) > MAX_ROWS:
        raise InvitationsRefused([f"The file has more than {MAX_ROWS} people. Split it"])
    emails = [row["email"].lower() for _line, row in rows]
    taken = {
        email.lower()
        for pair in User.objects.filter(Q(email__in=emails) | Q(username__in=emails)).values_list(
            "email", "username"
        )
        for email in pair
    }
    invitations, problems, seen = [], [], {}
    for line, row in rows:
        found = []
        organisation = by_code.get(row["organisation"].upper()) or by_name.get(
            name_key(row["organisation"])
        )
        if organisation is None:
            found.append(
                f"{row['organisation'] or 'the organisation'} is not a current member of "
                f"{partnership.name}. Use a member's GSS code or name as the overview shows it"
            )
        email = row["email"].lower()
        try:
            validate_email(email)
        except ValidationError:
            found.append(f"{email or 'the email'} is not an email address like name@council.gov.uk")
        else:
            if email in taken:
                found.append(f"{email} already has an account")
            elif email in seen:
                found.append(f"{email} is also on line {seen[email]}")
        seen.setdefault(email, line)
        role = ROLE_NAMES.get(row["role"].lower())
        if role is None:
            found.append("the role must be ict_manager or executive")
        for column, label in (("first_name", "first name"), ("last_name", "last name")):
            if not row[column]:
                found.append(f"enter a {label}")
            elif len(row[column]) > 150:
                found.append(f"the {label} must be 150 characters or fewer")
        if len(row.get("job_title", "")) > 100:
            found.append("the job title must be 100 characters or fewer")
        problems += [f"Line {line}: {problem}" for problem in found]
        if not found:
            invitations.append(
                Invitation(
                    line=line,
                    organisation_id=organisation.pk,
                    organisation_name=organisation.name,
                    email=email,
                    role=role,
                    first_name=row["first_name"],
                    last_name=row["last_name"],
                    job_title=row.get("job_title", ""),
                )
            )
    if problems:
        raise InvitationsRefused(problems)
    return invitations


def invite_all(
    *, partnership: Partnership, invitations: list[Invitation], user, base_url: str
) -> list[User]:
    """All the accounts in one transaction (none if any fails), then the emails."""
    organisations = {
        m.organisation_id: m.organisation
        for m in Membership.objects.current()
        .filter(partnership=partnership)
        .select_related("organisation")
    }
    with transaction.atomic():
        people = []
        for invitation in invitations:
            if invitation.organisation_id not in organisations:
                raise InvitationsRefused(
                    [f"Line {invitation.line}: {invitation.organisation_name} has left"]
                )
            people.append(
                invite_person(
                    partnership=partnership,
                    organisation=organisations[invitation.organisation_id],
                    user=user,
                    base_url=base_url,
                    send=False,
                    email=invitation.email,
                    first_name=invitation.first_name,
                    last_name=invitation.last_name,
                    role=invitation.role,
                    job_title=invitation.job_title,
                )
            )
    for person in people:
        send_invitation(person, invited_by=user, base_url=base_url)
    return people


def to_session(invitations: list[Invitation]) -> list[dict]:
    return [asdict(invitation) for invitation in invitations]


def from_session(rows: list[dict]) -> list[Invitation]:
    return [Invitation(**row) for row in rows]
