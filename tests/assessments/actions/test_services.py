"""The action services: the access predicates checked again (a second line of defence
behind the pages), every change recorded with its old and new values, and no update
lost when two people change one action at once."""

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from assessments.actions.models import Action, ActionChange, ActionStatus
from assessments.actions.services import (
    ActionConflict,
    InvalidAction,
    create_action,
    update_action,
)
from assessments.choices import OwnerRole
from tests.assessments.actions.conftest import in_days

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "partnership_wide", "refusal"),
    [
        ("outsider", False, "Only executives and ICT managers of a member organisation"),
        ("administrator", False, "Only executives and ICT managers of a member organisation"),
        ("member_exec", True, "Only the lead partner's executives"),
        ("lead_ict", True, "Only the lead partner's executives"),
        ("administrator", True, "Only the lead partner's executives"),
    ],
)
def test_agreeing_an_action_checks_who_may_plan_it(
    partners, plan_action, administrator, who, partnership_wide, refusal
):
    user = administrator if who == "administrator" else getattr(partners, who)
    with pytest.raises(PermissionDenied, match=refusal):
        plan_action(
            user=user,
            gap=partners.gap("funding-formula-not-agreed"),
            partnership_wide=partnership_wide,
            owner_role=OwnerRole.EXECUTIVE,
        )
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"user": "other_ict"}, "This gap is not about your organisation"),
        ({"due_on": in_days(-1)}, "The due date must be today or in the future"),
        ({"owner_role": OwnerRole.LEGAL, "funding": True}, "Funding actions belong to chief"),
    ],
)
def test_an_action_that_cannot_be_agreed_is_refused_with_what_to_do(
    partners, plan_action, changes, message
):
    changes = dict(changes)
    if "user" in changes:
        changes["user"] = getattr(partners, changes["user"])
    if changes.pop("funding", False):
        changes["gap"] = partners.gap("funding-formula-below-gate", partners.member)
    with pytest.raises(InvalidAction, match=message):
        plan_action(**changes)
    assert not Action.objects.exists()
    assert not ActionChange.objects.exists()


def test_agreeing_an_action_records_it_as_its_first_change(partners, plan_action):
    action = plan_action(description="  Join the county's resident account\n", owner_name=" Sam ")
    assert (action.description, action.owner_name) == ("Join the county's resident account", "Sam")
    assert action.gap_message.startswith("Brambleton Council has not got citizen identity")
    assert (action.gap_severity, action.version, action.status) == (
        "critical",
        1,
        ActionStatus.NOT_STARTED,
    )
    first = action.changes.get()
    assert first.version == 1
    assert first.changed_by == partners.member_ict
    assert first.changes == {
        "description": {"old": "", "new": "Join the county's resident account"},
        "owner_role": {"old": "", "new": "ICT manager (CIO)"},
        "owner_name": {"old": "", "new": "Sam"},
        "due_on": {"old": "", "new": in_days(30).strftime("%-d %B %Y")},
        "status": {"old": "", "new": "Not started"},
    }


def test_an_update_records_each_changed_field_with_its_old_and_new_value(partners, plan_action):
    action = plan_action()
    updated = update_action(
        user=partners.member_exec,
        action=action,
        version=1,
        description="Join the county's resident account",  # unchanged
        owner_role=OwnerRole.INFORMATION_GOVERNANCE,
        owner_name="Jo Bloggs",
        due_on=in_days(60),
        status=ActionStatus.IN_PROGRESS,
        dropped_reason="",
    )
    assert updated.version == 2
    change = ActionChange.objects.get(action=action, version=2)
    assert change.changed_by == partners.member_exec
    assert change.changes == {
        "owner_role": {"old": "ICT manager (CIO)", "new": "Senior information risk owner"},
        "owner_name": {"old": "Sam Patel", "new": "Jo Bloggs"},
        "due_on": {
            "old": in_days(30).strftime("%-d %B %Y"),
            "new": in_days(60).strftime("%-d %B %Y"),
        },
        "status": {"old": "Not started", "new": "In progress"},
    }


def test_an_update_with_nothing_changed_saves_and_records_nothing(partners, plan_action):
    action = plan_action()
    before = Action.objects.values("updated_at").get(pk=action.pk)
    same = update_action(
        user=partners.member_ict, action=action, version=1, owner_name=" Sam Patel "
    )
    assert same.version == 1
    assert Action.objects.values("updated_at").get(pk=action.pk) == before
    assert action.changes.count() == 1


def test_a_stale_version_raises_a_conflict_and_saves_nothing(partners, plan_action):
    action = plan_action()
    update_action(user=partners.member_ict, action=action, version=1, status="in_progress")
    with pytest.raises(ActionConflict) as conflict:
        update_action(user=partners.member_exec, action=action, version=1, owner_name="Lost")
    assert conflict.value.current.version == 2
    action.refresh_from_db()
    assert (action.owner_name, action.status, action.version) == (
        "Sam Patel",
        ActionStatus.IN_PROGRESS,
        2,
    )
    assert action.changes.count() == 2


def test_dropping_needs_a_reason_and_the_reason_goes_when_it_is_picked_up_again(
    partners, plan_action
):
    action = plan_action()
    with pytest.raises(InvalidAction, match="Enter why the action is being dropped"):
        update_action(user=partners.member_ict, action=action, version=1, status="dropped")
    dropped = update_action(
        user=partners.member_ict,
        action=action,
        version=1,
        status="dropped",
        dropped_reason=" The county does it ",
    )
    assert dropped.dropped_reason == "The county does it"
    again = update_action(user=partners.member_ict, action=action, version=2, status="not_started")
    assert (again.status, again.dropped_reason) == (ActionStatus.NOT_STARTED, "")
    assert action.changes.get(version=3).changes == {
        "status": {"old": "Dropped", "new": "Not started"},
        "dropped_reason": {"old": "The county does it", "new": ""},
    }


def test_done_is_dated_once_and_undated_when_the_work_resumes(partners, plan_action):
    action = plan_action()
    done = update_action(user=partners.member_ict, action=action, version=1, status="done")
    assert done.done_at is not None
    renamed = update_action(
        user=partners.member_ict, action=action, version=2, owner_name="Someone else"
    )
    assert renamed.done_at == done.done_at  # still done since then
    resumed = update_action(user=partners.member_ict, action=action, version=3, status="done")
    assert resumed.version == 3  # no change: already done
    resumed = update_action(
        user=partners.member_ict, action=action, version=3, status="in_progress"
    )
    assert resumed.done_at is None


@pytest.mark.parametrize("who", ["other_ict", "lead_exec", "lead_ict", "outsider"])
def test_only_the_owning_organisation_updates_its_action(partners, plan_action, who):
    action = plan_action()
    with pytest.raises(PermissionDenied, match="Only the organisation that owns this action"):
        update_action(user=getattr(partners, who), action=action, version=1, status="done")
    action.refresh_from_db()
    assert action.version == 1


def test_staff_cannot_update_an_action(partners, plan_action, administrator):
    action = plan_action()
    with pytest.raises(PermissionDenied):
        update_action(user=administrator, action=action, version=1, status="done")


UPDATES_PER_PERSON = 40


@pytest.mark.django_db(transaction=True)
def test_two_people_updating_one_action_at_once_lose_nothing(partners):
    """Each person loads the action, pauses (typing), then saves from the version they
    loaded. Every attempt either saves or is told of a conflict; no save is built on a
    version another save already replaced."""
    action = create_action(
        user=partners.member_ict,
        round_=partners.round,
        gap=partners.gap("citizen-identity-below-gate", partners.member),
        partnership_wide=False,
        description="Join the county's resident account",
        owner_role=OwnerRole.ICT_MANAGER,
        owner_name="",
        due_on=in_days(30),
    )
    saved, conflicts, errors = [], [], []
    record = threading.Lock()
    start_together = threading.Barrier(2)

    def person(user, name: str) -> None:
        try:
            start_together.wait()
            for attempt in range(UPDATES_PER_PERSON):
                version = Action.objects.values_list("version", flat=True).get(pk=action.pk)
                time.sleep(0.002)
                try:
                    update_action(
                        user=user, action=action, version=version, owner_name=f"{name} {attempt}"
                    )
                except ActionConflict:
                    with record:
                        conflicts.append(name)
                else:
                    with record:
                        saved.append(version)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    people = [
        threading.Thread(target=person, args=(partners.member_ict, "Ann")),
        threading.Thread(target=person, args=(partners.member_exec, "Bo")),
    ]
    for thread in people:
        thread.start()
    for thread in people:
        thread.join(timeout=300)

    assert errors == []
    assert len(saved) + len(conflicts) == 2 * UPDATES_PER_PERSON
    assert conflicts, "the two people never collided, so the test proved nothing"
    assert sorted(saved) == list(range(1, len(saved) + 1))
    action.refresh_from_db()
    assert action.version == len(saved) + 1
    versions = sorted(ActionChange.objects.filter(action=action).values_list("version", flat=True))
    assert versions == list(range(1, len(saved) + 2))
