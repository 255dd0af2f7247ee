"""Backup and restore: export_data / import_data and assessments.backup.

A restore needs an empty database, so the round trips run as transactional tests:
build data, export, flush everything, import, and compare."""

import io
import json
import os
import stat

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments.framework.loader import load_framework_file
from assessments.insights.services import set_score_sharing
from assessments.models import (
    Answer,
    AnswerChange,
    Assessment,
    AssessmentReopening,
    Round,
    RoundReopening,
)
from assessments.reporting.data import organisation_report, partnership_report
from notifications.models import Notification, Preference
from ops import backup
from ops.backup import MODELS, BackupError, export_document, import_document
from ops.demo import DEMO_PASSWORD, seed_demo
from ops.demo_sign_in import seed_demo_sign_in
from partnerships.models import FundingShare, Organisation, Role, User
from tests.builders import add_partner, assess, sign_funding
from tests.factories import OrganisationFactory, PartnershipFactory, RoundFactory, UserFactory


def row_counts() -> dict:
    return {model._meta.label_lower: model._default_manager.count() for model in MODELS}


def reports(today, rounds=None, assessments=None) -> dict:
    rounds = Round.objects.all() if rounds is None else rounds
    assessments = Assessment.objects.all() if assessments is None else assessments
    return {
        "partnership": {r.pk: partnership_report(r, today=today) for r in rounds.order_by("pk")},
        "organisation": {
            a.pk: organisation_report(a, today=today) for a in assessments.order_by("pk")
        },
    }


def through_json(document: dict) -> dict:
    """The document as a file would give it back."""
    stream = io.StringIO()
    backup.write_document(document, stream)
    return json.loads(stream.getvalue())


def empty_the_database():
    call_command("flush", interactive=False, verbosity=0)
    assert not any(row_counts().values())


def add_history(assessment, changed_by, reopened_by, formula):
    """Rows of the models the demo does not make: an answer change, a reopening (of an
    assessment and of a round), a funding share, a reminder preference, a notification."""
    answer = assessment.answers.order_by("pk").first()
    AnswerChange.objects.create(
        answer=answer, changed_by=changed_by, old_level=None, new_level=answer.level, version=2
    )
    AssessmentReopening.objects.create(
        assessment=assessment,
        reopened_by=reopened_by,
        reason="Figures corrected by finance.",
        previously_submitted_at=timezone.now(),
    )
    FundingShare.objects.create(
        formula=formula, organisation=assessment.organisation, percentage="37.50"
    )
    Preference.objects.create(user=changed_by, reminders=False)
    Notification.objects.create(
        recipient=changed_by,
        kind="assessment_reopened",
        about="reopening:1",
        subject="Your assessment was reopened",
        context={"reason": "Figures corrected by finance."},
        sent_at=timezone.now(),
        outcome="sent",
        attempts=1,
    )
    RoundReopening.objects.create(
        round=assessment.round,
        reopened_by=reopened_by,
        reason="Reopened for a late partner.",
        discarded_snapshot_as_at=timezone.localdate(),
    )


# ------------------------------------------------------------------ (a) whole database


@pytest.mark.django_db(transaction=True)
def test_the_demo_data_survives_export_and_restore_through_the_commands(tmp_path):
    partnership = seed_demo()
    admin = User.objects.get(username="admin")
    oxfordshire = Assessment.objects.filter(status="submitted").order_by("pk").first()
    add_history(oxfordshire, oxfordshire.created_by, admin, partnership.funding_formulas.get())
    # Single sign-on: the demo's provider, Cherwell's link, and one linked account.
    seed_demo_sign_in()
    SocialAccount.objects.create(
        user=User.objects.get(username="sam.okafor@cherwell.example"),
        provider="local",
        uid="demo-sam",
        extra_data={"id_token": {"email": "sam.okafor@cherwell.example"}},
    )
    # Groups and permissions travel by natural key: permission ids differ per database.
    auditors = Group.objects.create(name="Auditors")
    auditors.permissions.add(Permission.objects.get(codename="view_organisation"))
    admin.groups.add(auditors)
    admin.user_permissions.add(Permission.objects.get(codename="change_round"))
    # An organisation's consent to show its scores in other partnerships' projections.
    set_score_sharing(user=User.objects.get(username="cherwell-exec"), allowed=True)

    today = timezone.localdate()
    counts_before = row_counts()
    assert all(counts_before.values()), "every model should have rows to restore"
    reports_before = reports(today)
    hashes_before = dict(User.objects.values_list("username", "password"))
    objects_before = through_json(export_document())["objects"]

    path = tmp_path / "backup.json"
    out = io.StringIO()
    call_command("export_data", "--output", str(path), stdout=out)
    assert "password hashes" in out.getvalue()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "partnership-readiness-backup"
    assert document["format_version"] == 1
    assert document["scope"] == "all"
    assert document["counts"] == counts_before
    labels = [obj["model"] for obj in document["objects"]]
    assert labels == sorted(labels, key=[m._meta.label_lower for m in MODELS].index)

    empty_the_database()
    out = io.StringIO()
    call_command("import_data", str(path), stdout=out)
    assert "Restored" in out.getvalue()

    assert row_counts() == counts_before
    assert reports(today) == reports_before
    assert through_json(export_document())["objects"] == objects_before
    assert dict(User.objects.values_list("username", "password")) == hashes_before
    for user in User.objects.exclude(username="sam.okafor@cherwell.example"):
        assert user.check_password(DEMO_PASSWORD), user.username
    # The invited single sign-on person still has no password to sign in with.
    assert not User.objects.get(username="sam.okafor@cherwell.example").has_usable_password()
    admin = User.objects.get(username="admin")
    assert admin.has_perm("partnerships.view_organisation")
    assert admin.has_perm("assessments.change_round")

    # (d) The id sequences moved past the restored rows: new rows get new ids.
    def highest(label):
        return max(o["pk"] for o in document["objects"] if o["model"] == label)

    council = Organisation.objects.create(name="Newly created council", kind="unitary")
    assert council.pk > highest("partnerships.organisation")
    user = User.objects.create_user("new-person", password="a-long-new-password-2026")
    assert user.pk > highest("partnerships.user")
    assert Group.objects.create(name="Newly created group").pk > highest("auth.group")
    round_ = RoundFactory(partnership=partnership, framework=oxfordshire.round.framework)
    assert round_.pk > highest("assessments.round")


# ------------------------------------------------------------------ (b) one partnership


def build_partnership(name, framework, admin):
    partnership = PartnershipFactory(name=name)
    lead = add_partner(partnership, f"{name} lead council", lead=True)
    member = add_partner(partnership, f"{name} member council")
    previous = RoundFactory(
        partnership=partnership,
        framework=framework,
        name="2025 review",
        status="closed",
        opens_on=timezone.localdate() - timezone.timedelta(days=365),
    )
    current = RoundFactory(partnership=partnership, framework=framework, name="2026 review")
    ict = UserFactory(organisation=lead, role=Role.ICT_MANAGER)
    assess(previous, lead, level=2, submitted_days_ago=360)
    submitted = assess(current, lead, level=3, levels={"governance.funding-formula": 1})
    submitted.created_by = submitted.submitted_by = ict
    submitted.save()
    Answer.objects.filter(assessment=submitted).update(updated_by=ict)
    assess(current, member, level=2, status="draft", evidence="Our own notes")
    formula = sign_funding(partnership, [lead])
    add_history(submitted, ict, admin, formula)
    return partnership


@pytest.mark.django_db(transaction=True)
def test_one_partnership_exports_only_its_rows_and_restores_the_same_reports():
    framework = load_framework_file().framework
    admin = UserFactory(username="administrator", organisation=None, role="", is_staff=True)
    ours = build_partnership("Avon", framework, admin)
    theirs = build_partnership("Brent", framework, admin)
    bystander = UserFactory(username="unrelated-admin", organisation=None, role="", is_staff=True)

    today = timezone.localdate()
    our_rounds = Round.objects.filter(partnership=ours)
    our_assessments = Assessment.objects.filter(round__partnership=ours)
    reports_before = reports(today, our_rounds, our_assessments)

    out = io.StringIO()
    call_command("export_data", "--partnership", str(ours.pk), stdout=out)
    document = json.loads(out.getvalue())
    assert document["scope"] == {"partnership": ours.pk}

    def pks(label):
        return {o["pk"] for o in document["objects"] if o["model"] == label}

    def expected(queryset):
        return set(queryset.values_list("pk", flat=True))

    assert pks("partnerships.partnership") == {ours.pk}
    assert pks("partnerships.organisation") == expected(
        Organisation.objects.filter(memberships__partnership=ours)
    )
    assert pks("assessments.round") == expected(our_rounds)
    assert pks("assessments.assessment") == expected(our_assessments)
    assert pks("assessments.answer") == expected(
        Answer.objects.filter(assessment__round__partnership=ours)
    )
    assert pks("assessments.answerchange") == expected(
        AnswerChange.objects.filter(answer__assessment__round__partnership=ours)
    )
    assert pks("assessments.assessmentreopening") == expected(
        AssessmentReopening.objects.filter(assessment__round__partnership=ours)
    )
    assert pks("partnerships.fundingformula") == expected(ours.funding_formulas.all())
    assert pks("partnerships.fundingshare") == expected(
        FundingShare.objects.filter(formula__partnership=ours)
    )
    assert pks("assessments.framework") == {framework.pk}
    # Its members' people, and the administrator who reopened an assessment; nobody else.
    assert pks("partnerships.user") == expected(
        User.objects.filter(organisation__memberships__partnership=ours)
    ) | {admin.pk}
    assert bystander.pk not in pks("partnerships.user")
    their_organisations = expected(Organisation.objects.filter(memberships__partnership=theirs))
    assert not pks("partnerships.organisation") & their_organisations
    assert not pks("assessments.round") & expected(Round.objects.filter(partnership=theirs))
    assert not pks("assessments.answer") & expected(
        Answer.objects.filter(assessment__round__partnership=theirs)
    )
    assert document["counts"]["partnerships.partnership"] == 1

    empty_the_database()
    counts = import_document(document)
    assert counts == row_counts()
    assert counts["partnerships.organisation"] == 2
    assert reports(today, Round.objects.all(), Assessment.objects.all()) == reports_before
    assert through_json(export_document())["objects"] == document["objects"]
    assert User.objects.get(pk=admin.pk).is_staff
    # (d) on a partial restore too.
    assert Organisation.objects.create(name="Later council", kind="district").pk > max(
        pks("partnerships.organisation")
    )


def test_export_data_names_an_unknown_partnership(db):
    with pytest.raises(CommandError, match="no partnership with id 999"):
        call_command("export_data", "--partnership", "999", stdout=io.StringIO())


# ------------------------------------------------------------------ (c) refusals


@pytest.fixture
def document(db):
    """A valid backup of one organisation, made from a database then emptied again."""
    OrganisationFactory(name="Only council")
    document = through_json(export_document())
    Organisation.objects.all().delete()
    return document


def refuse(document, message):
    with pytest.raises(BackupError, match=message):
        import_document(document)
    assert not any(row_counts().values()), "a refused restore writes nothing"


def test_a_non_empty_database_is_refused_and_left_as_it_was(document, tmp_path):
    UserFactory(username="already-here")  # and its organisation
    before = row_counts()
    with pytest.raises(BackupError) as refused:
        import_document(document)
    assert str(refused.value) == (
        "The database is not empty: it has 1 organisation and 1 user. Nothing was restored. "
        "Restore into a new, empty database (run migrate first)."
    )
    assert row_counts() == before

    path = tmp_path / "backup.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match="The database is not empty"):
        call_command("import_data", str(path), stdout=io.StringIO())
    assert row_counts() == before


def test_a_newer_format_version_is_refused(document):
    refuse({**document, "format_version": 2}, r"format version 2, made by a newer version")
    refuse({**document, "format_version": "1"}, "must be a whole number")


def test_a_file_that_is_not_json_is_refused(tmp_path, db):
    path = tmp_path / "backup.json"
    path.write_text('{"format": "partnership-readiness-backup", ', encoding="utf-8")
    with pytest.raises(CommandError, match=r"is not valid JSON \(line 1, column"):
        call_command("import_data", str(path), stdout=io.StringIO())
    path.write_bytes(b"\xff\xfe not text")
    with pytest.raises(CommandError, match="not UTF-8 text"):
        call_command("import_data", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Could not read"):
        call_command("import_data", str(tmp_path / "missing.json"), stdout=io.StringIO())


def test_a_document_of_another_format_is_refused(document, tmp_path):
    refuse({**document, "format": "something-else"}, "not a Partnership Readiness backup")
    # A Django dumpdata file is a list, not a backup document.
    path = tmp_path / "dumpdata.json"
    path.write_text(json.dumps(document["objects"]), encoding="utf-8")
    with pytest.raises(CommandError, match="not a Partnership Readiness backup"):
        call_command("import_data", str(path), stdout=io.StringIO())


def test_damaged_documents_are_refused_with_nothing_written(document):
    refuse({k: v for k, v in document.items() if k != "counts"}, "incomplete: it has no counts")
    refuse({**document, "objects": []}, "counts do not match")
    session = {"model": "sessions.session", "pk": "x", "fields": {}}
    refuse(
        {
            **document,
            "objects": [*document["objects"], session],
            "counts": {**document["counts"], "sessions.session": 1},
        },
        "rows of 'sessions.session'",
    )
    unknown_field = json.loads(json.dumps(document))
    unknown_field["objects"][0]["fields"]["no_such_field"] = 1
    refuse(unknown_field, "does not fit this version of the app.*no field named 'no_such_field'")
    bad_value = json.loads(json.dumps(document))
    bad_value["objects"][0]["fields"]["created_at"] = "last Tuesday"
    refuse(bad_value, "could not be read")
    # A membership of a partnership the backup lacks: rolled back, organisation too.
    membership = {
        "model": "partnerships.membership",
        "pk": 1,
        "fields": {
            "partnership": 999,
            "organisation": document["objects"][0]["pk"],
            "role": "member",
            "joined_on": "2026-01-01",
            "left_on": None,
            "updated_at": "2026-01-01T00:00:00+00:00",
        },
    }
    refuse(
        {
            **document,
            "objects": [*document["objects"], membership],
            "counts": {**document["counts"], "partnerships.membership": 1},
        },
        "do not fit together",
    )


def test_a_valid_document_restores_into_an_empty_database(document):
    counts = import_document(document)
    assert counts["partnerships.organisation"] == 1
    assert Organisation.objects.get().name == "Only council"
