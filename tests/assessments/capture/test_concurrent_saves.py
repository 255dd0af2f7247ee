"""Two people saving the same dimension at once never overwrite each other silently.

Runs on whichever database the suite uses; CI runs it on SQLite and on PostgreSQL."""

import threading
import time

import pytest
from django.db import connection

from assessments.capture.services import AnswerInput, SaveConflict, save_dimension, start_assessment
from assessments.models import Answer, AnswerChange

SAVES_PER_PERSON = 100


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_one_dimension_100_times_each_lose_nothing(council_a):
    assessment = start_assessment(
        round=council_a.round, organisation=council_a.organisation, user=council_a.ict_manager
    )
    dimension = assessment.round.framework.dimensions.get(code="governance")
    question_ids = list(dimension.questions.values_list("pk", flat=True))
    saved, conflicts, errors = [], [], []
    record = threading.Lock()
    start_together = threading.Barrier(2)

    def person(name: str, level: int) -> None:
        try:
            start_together.wait()
            for attempt in range(SAVES_PER_PERSON):
                # Load the page: the versions the form carries.
                versions = dict(
                    Answer.objects.filter(
                        assessment=assessment, question_id__in=question_ids
                    ).values_list("question_id", "version")
                )
                time.sleep(0.002)  # typing; the other person may save meanwhile
                evidence = f"{name} save {attempt}"
                entries = [AnswerInput(q, level, evidence, "", versions[q]) for q in question_ids]
                try:
                    save_dimension(
                        assessment=assessment,
                        dimension=dimension,
                        user=council_a.ict_manager,
                        answers=entries,
                    )
                except SaveConflict as conflict:
                    with record:
                        conflicts.append(len(conflict.conflicts))
                else:
                    with record:
                        saved.append((versions[question_ids[0]], evidence))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    people = [threading.Thread(target=person, args=(n, lvl)) for n, lvl in (("Ann", 1), ("Bo", 3))]
    for thread in people:
        thread.start()
    for thread in people:
        thread.join(timeout=300)

    assert errors == []
    # Every attempt either saved or was reported as a conflict.
    assert len(saved) + len(conflicts) == 2 * SAVES_PER_PERSON
    assert conflicts, "the two people never collided, so the test proved nothing"
    # No lost update: each successful save was built on the version before it, so no
    # two saves started from the same version.
    assert sorted(version for version, _ in saved) == list(range(1, len(saved) + 1))
    answers = list(Answer.objects.filter(assessment=assessment, question_id__in=question_ids))
    assert {a.version for a in answers} == {len(saved) + 1}
    # Multi-row saves are atomic: all six answers hold the last successful save.
    last_evidence = max(saved)[1]
    assert {a.evidence for a in answers} == {last_evidence}
    assert AnswerChange.objects.filter(answer__in=answers).count() == len(saved) * len(answers)
