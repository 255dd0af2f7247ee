"""Backup and restore of the application's data as one versioned JSON document.

`export_document()` gathers every row (or one partnership and everything it needs) with
Django's "python" serializer, in dependency order and with primary keys kept;
`write_document()` writes it as JSON, one object per line. `read_document()` and
`import_document()` check a document and load it into an empty database in one
transaction, then reset the database's id sequences.

The document includes users' password hashes and identity providers' client secrets,
so a restore brings logins and single sign-on back: store backups as carefully as the
database itself.

Sessions, the admin log, django-axes records, content types and permissions are left
out: they are rebuilt by `migrate` or are of no use in another database. So are
authenticator apps (a restored administrator or executive sets one up again at the
next password sign-in: a backup never carries the secrets behind their codes) and the
security log (it stays with the database it describes). Groups are
exported (usually there are none); users' and groups' permissions are written by
natural key (codename, app, model), because permission ids differ between databases.
"""

import json
import os
import tempfile
from collections import Counter
from datetime import datetime, time

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from assessments.models import (
    Action,
    ActionChange,
    Answer,
    AnswerChange,
    Assessment,
    AssessmentReopening,
    Dimension,
    Framework,
    OrganisationSnapshot,
    ProjectionConsent,
    Question,
    Round,
    RoundReopening,
    RoundSnapshot,
)
from identity.models import IdentityProvider, OrganisationSignIn
from notifications.models import Notification, Preference
from partnerships.models import (
    FundingFormula,
    FundingShare,
    FundingSignOff,
    Membership,
    Organisation,
    Partnership,
    User,
)

FORMAT = "partnership-readiness-backup"
FORMAT_VERSION = 1
REQUIRED_KEYS = ("format", "format_version", "exported_at", "scope", "counts", "objects")

# Dependency order: every model comes after the models its foreign keys point to.
MODELS = [
    Group,
    Organisation,
    User,
    Partnership,
    Membership,
    Framework,
    Dimension,
    Question,
    Round,
    Assessment,
    Answer,
    AnswerChange,
    AssessmentReopening,
    FundingFormula,
    FundingShare,
    FundingSignOff,
    RoundSnapshot,
    OrganisationSnapshot,
    RoundReopening,
    Action,
    ActionChange,
    Preference,
    Notification,
    IdentityProvider,
    OrganisationSignIn,
    SocialAccount,
    ProjectionConsent,
]
LABELS = {model._meta.label_lower: model for model in MODELS}
# Groups and users point at permissions (and users at groups) by natural key, since
# permission ids are assigned afresh by each database's `migrate`.
NATURAL_KEY_MODELS = {Group, User}


class BackupError(ValueError):
    """A backup cannot be written or restored; the message says why in plain English."""


class BackupJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but keeping microseconds: its default cuts times to
    milliseconds, and a restore must give back exactly the timestamps it was given
    (reports show sign-off times in full)."""

    def default(self, o):
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


# ---------------------------------------------------------------------------- export


def export_document(partnership=None) -> dict:
    """Every row the app owns, or only `partnership` and everything it needs."""
    querysets = _all_rows() if partnership is None else _partnership_rows(partnership)
    objects, counts = [], {}
    for model in MODELS:
        queryset = querysets[model].order_by("pk")
        if model is User:
            queryset = queryset.prefetch_related("groups", "user_permissions__content_type")
        elif model is Group:
            queryset = queryset.prefetch_related("permissions__content_type")
        rows = serializers.serialize(
            "python", queryset, use_natural_foreign_keys=model in NATURAL_KEY_MODELS
        )
        counts[model._meta.label_lower] = len(rows)
        objects.extend(rows)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "scope": "all" if partnership is None else {"partnership": partnership.pk},
        "counts": counts,
        "objects": objects,
    }


def _all_rows() -> dict:
    return {model: model._default_manager.all() for model in MODELS}


def _ids(queryset, field: str) -> set:
    return {pk for pk in queryset.values_list(field, flat=True) if pk is not None}


def _partnership_rows(partnership) -> dict:
    memberships = Membership.objects.filter(partnership=partnership)
    rounds = Round.objects.filter(partnership=partnership)
    assessments = Assessment.objects.filter(round__partnership=partnership)
    answers = Answer.objects.filter(assessment__in=assessments)
    changes = AnswerChange.objects.filter(answer__in=answers)
    reopenings = AssessmentReopening.objects.filter(assessment__in=assessments)
    formulas = FundingFormula.objects.filter(partnership=partnership)
    shares = FundingShare.objects.filter(formula__in=formulas)
    sign_offs = FundingSignOff.objects.filter(formula__in=formulas)
    snapshots = RoundSnapshot.objects.filter(round__in=rounds)
    round_reopenings = RoundReopening.objects.filter(round__in=rounds)
    actions = Action.objects.filter(partnership=partnership)
    action_changes = ActionChange.objects.filter(action__in=actions)

    # The rounds' frameworks, and (should an answer ever point elsewhere) the
    # frameworks of the statements answered.
    framework_ids = _ids(rounds, "framework_id") | _ids(answers, "question__dimension__framework")
    organisation_ids = (
        _ids(memberships, "organisation_id")
        | _ids(assessments, "organisation_id")
        | _ids(shares, "organisation_id")
        | _ids(sign_offs, "organisation_id")
        | _ids(actions, "organisation_id")
    )
    # People named on the rows exported, wherever they work, so every foreign key
    # resolves: a staff administrator who reopened an assessment, say.
    named_user_ids = (
        _ids(assessments, "created_by_id")
        | _ids(assessments, "submitted_by_id")
        | _ids(answers, "updated_by_id")
        | _ids(changes, "changed_by_id")
        | _ids(reopenings, "reopened_by_id")
        | _ids(formulas, "created_by_id")
        | _ids(sign_offs, "signed_by_id")
        | _ids(round_reopenings, "reopened_by_id")
        | _ids(actions, "created_by_id")
        | _ids(action_changes, "changed_by_id")
    )
    # The members' consent to show their scores in projections, and who gave it.
    consents = ProjectionConsent.objects.filter(organisation_id__in=organisation_ids)
    named_user_ids |= _ids(consents, "allowed_by_id")
    # A named person's own organisation comes too (only its row), so they keep it.
    organisation_ids |= _ids(User.objects.filter(pk__in=named_user_ids), "organisation_id")
    users = User.objects.filter(pk__in=named_user_ids) | User.objects.filter(
        organisation_id__in=organisation_ids
    )
    users = User.objects.filter(pk__in=_ids(users, "pk"))
    frameworks = Framework.objects.filter(pk__in=framework_ids)
    dimensions = Dimension.objects.filter(framework__in=frameworks)
    sign_in_links = OrganisationSignIn.objects.filter(organisation_id__in=organisation_ids)
    return {
        Group: Group.objects.filter(pk__in=_ids(users, "groups")),
        Organisation: Organisation.objects.filter(pk__in=organisation_ids),
        User: users,
        Partnership: Partnership.objects.filter(pk=partnership.pk),
        Membership: memberships,
        Framework: frameworks,
        Dimension: dimensions,
        Question: Question.objects.filter(dimension__in=dimensions),
        Round: rounds,
        Assessment: assessments,
        Answer: answers,
        AnswerChange: changes,
        AssessmentReopening: reopenings,
        FundingFormula: formulas,
        FundingShare: shares,
        FundingSignOff: sign_offs,
        RoundSnapshot: snapshots,
        OrganisationSnapshot: OrganisationSnapshot.objects.filter(snapshot__in=snapshots),
        RoundReopening: round_reopenings,
        Action: actions,
        ActionChange: action_changes,
        Preference: Preference.objects.filter(user__in=users),
        Notification: Notification.objects.filter(recipient__in=users),
        IdentityProvider: IdentityProvider.objects.filter(
            pk__in=_ids(sign_in_links, "provider_id")
        ),
        OrganisationSignIn: sign_in_links,
        SocialAccount: SocialAccount.objects.filter(user__in=users),
        ProjectionConsent: consents,
    }


def write_document(document: dict, stream) -> None:
    """Write `document` as JSON to a text stream: the header, then one object a line."""
    encode = BackupJSONEncoder(ensure_ascii=False).encode
    stream.write("{\n")
    for key in REQUIRED_KEYS[:-1]:
        stream.write(f"{encode(key)}: {encode(document[key])},\n")
    stream.write('"objects": [')
    for index, obj in enumerate(document["objects"]):
        stream.write(("\n" if index == 0 else ",\n") + encode(obj))
    stream.write("\n]\n}\n")


def write_file(document: dict, path) -> None:
    """Write the document to `path` readable only by its owner (it holds password
    hashes), through a temporary file so a failed write never replaces a good backup."""
    path = os.fspath(path)
    fd, temporary = tempfile.mkstemp(
        dir=os.path.dirname(os.path.abspath(path)), prefix=".backup-", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            write_document(document, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def dumps(document: dict) -> str:
    """The document as one JSON string (as `write_document` writes it, less the layout)."""
    return json.dumps(document, cls=BackupJSONEncoder, ensure_ascii=False)


# ---------------------------------------------------------------------------- import


def read_document(text: str | bytes) -> dict:
    """Parse a backup file's text; BackupError if it is not JSON."""
    try:
        return json.loads(text)
    except UnicodeDecodeError:
        raise BackupError("The file is not a backup: it is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise BackupError(
            f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). "
            "Is it a backup made by export_data, and is it complete?"
        ) from None


def validate_document(document) -> None:
    """Check the document's shape before anything is written; BackupError if wrong."""
    if not isinstance(document, dict):
        raise BackupError(
            "The file is not a Partnership Readiness backup: it is not a JSON object."
        )
    if document.get("format") != FORMAT:
        raise BackupError(
            f"The file is not a Partnership Readiness backup: its format is "
            f"{document.get('format')!r}, not {FORMAT!r}."
        )
    missing = [key for key in REQUIRED_KEYS if key not in document]
    if missing:
        raise BackupError(f"The backup is incomplete: it has no {', '.join(missing)}.")
    version = document["format_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BackupError(f"The backup's format_version must be a whole number, not {version!r}.")
    if version > FORMAT_VERSION:
        raise BackupError(
            f"The backup is format version {version}, made by a newer version of Partnership "
            f"Readiness; this one reads format version {FORMAT_VERSION} only. Upgrade the app, "
            "then restore."
        )
    objects, counts = document["objects"], document["counts"]
    if not isinstance(objects, list) or not isinstance(counts, dict):
        raise BackupError("The backup is damaged: objects must be a list and counts an object.")
    found = Counter()
    for position, obj in enumerate(objects, start=1):
        if not isinstance(obj, dict) or not isinstance(obj.get("fields"), dict) or "pk" not in obj:
            raise BackupError(
                f"The backup is damaged: object {position} is not a row with a pk and fields."
            )
        label = obj.get("model")
        if label not in LABELS:
            raise BackupError(
                f"The backup holds rows of {label!r} (object {position}), which a restore "
                "does not load. Only Partnership Readiness data can be restored."
            )
        found[label] += 1
    expected = {label: n for label, n in counts.items() if n}
    if expected != {label: n for label, n in found.items()}:
        differences = ", ".join(
            f"{label}: {counts.get(label, 0)} counted, {found.get(label, 0)} present"
            for label in sorted(set(counts) | set(found))
            if counts.get(label, 0) != found.get(label, 0)
        )
        raise BackupError(
            f"The backup is incomplete or has been edited: its counts do not match its rows "
            f"({differences})."
        )


def describe(counts: dict) -> str:
    """Counts by model label in words: "5 organisations, 11 users and 1 partnership"."""
    parts = []
    for label, n in counts.items():
        if n:
            meta = LABELS[label]._meta
            parts.append(f"{n} {meta.verbose_name if n == 1 else meta.verbose_name_plural}")
    if len(parts) <= 1:
        return "".join(parts) or "nothing"
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def _check_empty() -> None:
    # Every other model's rows hang off these, so these being empty means all are.
    present = {
        model._meta.label_lower: model._default_manager.count()
        for model in (Organisation, User, Partnership, Framework, Group)
    }
    if any(present.values()):
        raise BackupError(
            f"The database is not empty: it has {describe(present)}. Nothing was restored. "
            "Restore into a new, empty database (run migrate first)."
        )


def import_document(document) -> dict:
    """Load a backup into an empty database in one transaction; the counts loaded.

    Nothing is written unless everything is: any error rolls the whole restore back."""
    validate_document(document)
    loaded = Counter()
    try:
        with transaction.atomic():
            _check_empty()
            for deserialized in serializers.deserialize("python", document["objects"]):
                deserialized.save()
                loaded[deserialized.object._meta.label_lower] += 1
            # Foreign keys are checked at commit; check now, for a clear message.
            connection.check_constraints(table_names=[model._meta.db_table for model in MODELS])
            _reset_sequences()
    except FieldDoesNotExist as exc:
        raise BackupError(
            f"The backup does not fit this version of the app, so nothing was restored: {exc}. "
            "Was it made by a newer version?"
        ) from None
    except (DeserializationError, ValidationError) as exc:
        raise BackupError(f"The backup could not be read, so nothing was restored: {exc}") from None
    except IntegrityError as exc:
        raise BackupError(
            "The backup's rows do not fit together (a row points at one that is missing, or "
            f"two rows clash), so nothing was restored: {exc}"
        ) from None
    except DatabaseError as exc:
        raise BackupError(
            f"The database refused the restore, so nothing was restored: {exc}"
        ) from None
    return {model._meta.label_lower: loaded[model._meta.label_lower] for model in MODELS}


def _reset_sequences() -> None:
    """Move each table's id sequence past the ids restored (PostgreSQL needs this; on
    SQLite the statement list is empty, as SQLite tracks its own)."""
    statements = connection.ops.sequence_reset_sql(no_style(), MODELS)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
