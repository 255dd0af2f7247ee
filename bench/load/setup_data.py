"""The load test's data, run by run_load.py in a process of its own (Django is set up
once per process, for one database).

    setup_data.py bench              build the bench data in BENCH_DATABASE_URL if it is
                                     absent or stale (bench/run.py's builder), else reuse it
    setup_data.py prepare URL PAIRS  make the copy at URL ready for the load; print its
                                     configuration (JSON) for the locustfile

`prepare` runs on a copy of the bench database, never on the bench database itself
(run_load.py makes the copy): it gives the users the load signs in as one password,
reopens PAIRS submitted assessments in the open round of Bench partnership 01 (through
`reopen_assessment`, by an administrator it creates) so their ICT managers can save
answers, and makes the database cache table (CACHE_URL=db://).
"""

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

# Only for the users of the throwaway copy the load runs against.
PASSWORD = "load-test-only-password-not-for-any-deployment"
ADMIN_USERNAME = "bench-load-admin"
REOPEN_REASON = "Reopened by the load test so the ICT manager can save answers."


def bench() -> None:
    from bench import run

    database_file = run.setup_django(rebuild=False)
    if database_file is not None:
        sys.exit("BENCH_DATABASE_URL must name a PostgreSQL database for the load test.")
    run.prepare_data(rebuild=False, database_file=None)


def prepare(url: str, pairs: int) -> dict:
    os.environ["CACHE_URL"] = "db://"
    from bench import run

    run.configure_django(url)

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from assessments.capture.selectors import framework_dimensions
    from assessments.capture.services import reopen_assessment
    from assessments.models import Assessment, AssessmentStatus
    from bench import scale_data
    from partnerships.models import Role, User

    call_command("createcachetable", verbosity=0)
    round_ = scale_data.open_round(scale_data.HEADLINE)
    submitted = list(
        Assessment.objects.filter(round=round_, status=AssessmentStatus.SUBMITTED)
        .select_related("organisation")
        .order_by("organisation__name")[:pairs]
    )
    if len(submitted) < pairs:
        sys.exit(f"{scale_data.HEADLINE} has {len(submitted)} submitted assessments, not {pairs}.")
    # One hash for everyone: hashing is deliberately slow (PBKDF2).
    password = make_password(PASSWORD)
    with transaction.atomic():
        admin = User.objects.create(
            username=ADMIN_USERNAME,
            first_name="Load",
            last_name="Administrator",
            is_staff=True,
            password=password,
        )
        config_pairs = []
        for assessment in submitted:
            users = {
                user.role: user
                for user in User.objects.filter(
                    organisation_id=assessment.organisation_id,
                    role__in=[Role.ICT_MANAGER, Role.EXECUTIVE],
                )
            }
            User.objects.filter(pk__in=[u.pk for u in users.values()]).update(password=password)
            reopen_assessment(assessment=assessment, user=admin, reason=REOPEN_REASON)
            config_pairs.append(
                {
                    "organisation": assessment.organisation.name,
                    "assessment": assessment.pk,
                    "ict_manager": users[Role.ICT_MANAGER].username,
                    "executive": users[Role.EXECUTIVE].username,
                }
            )
    return {
        "password": PASSWORD,
        "admin": ADMIN_USERNAME,
        "partnership": scale_data.HEADLINE,
        "round": round_.pk,
        "dimensions": [d.code for d in framework_dimensions(round_.framework_id)],
        "pairs": config_pairs,
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["bench"]:
        bench()
    elif argv[:1] == ["prepare"] and len(argv) == 3:
        print(json.dumps(prepare(argv[1], int(argv[2]))))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
