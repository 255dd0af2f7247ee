"""The "what if" page (a projection of a changed membership) and the page where an
organisation's executives decide whether its scores may appear in other partnerships'
projections. Both load what they show through the access helpers."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from ..access import can_change_score_sharing, get_round_to_project
from ..reporting.data import members_of_round
from .forms import ScoreSharingForm, WhatIfForm
from .models import ProjectionConsent
from .projection import candidates_by_id, find_candidates, memberships_of, project
from .services import SHARING_REFUSED, set_score_sharing

ID = re.compile(r"[0-9]{1,12}")


def _ids(values: list[str]) -> list[int]:
    """Whole numbers only (not "²", not 30 digits): anything else is left for the form
    to refuse as a choice not offered."""
    return [int(value) for value in values if ID.fullmatch(value)]


@login_required
def what_if(request, round_id: int):
    """A GET form: what is chosen lives in the address, so a projection can be
    bookmarked or shared with a colleague who may see it, and nothing is saved."""
    round_ = get_round_to_project(request.user, round_id)
    today = timezone.localdate()
    memberships = memberships_of(round_)
    members = [
        (m.organisation_id, m.organisation.name)
        for m in members_of_round(memberships, round_, today)
    ]
    chosen = candidates_by_id(round_, _ids(request.GET.getlist("add")))
    # The form says what is wrong with the text; the search must not fail on it first
    # (PostgreSQL refuses a NUL character in a query).
    query = request.GET.get("q", "")[:200].replace("\x00", "")
    found = find_candidates(round_, query)
    chosen_ids = {c["id"] for c in chosen}
    candidates = chosen + [c for c in found if c["id"] not in chosen_ids]
    form = WhatIfForm(request.GET or None, members=members, candidates=candidates)
    projection = None
    if form.is_bound and form.is_valid():
        add, remove = form.cleaned_data.get("add", []), form.cleaned_data["remove"]
        if add or remove:
            projection = project(
                round_, add=add, remove=remove, today=today, memberships=memberships
            )
    return render(
        request,
        "assessments/insights/what_if.html",
        {
            "round": round_,
            "partnership": round_.partnership,
            "form": form,
            "searched": bool(query.strip()),
            "found": found,
            "projection": projection,
            "dimension_pairs": _side_by_side(projection),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _side_by_side(projection: dict | None) -> list[tuple[dict, dict]]:
    """Each dimension's weakest partner today and with the change (none when the
    projection withholds scores)."""
    if not projection or "dimension_summary" not in projection["projected"]:
        return []
    return list(
        zip(
            projection["today"]["dimension_summary"],
            projection["projected"]["dimension_summary"],
            strict=True,
        )
    )


@login_required
def score_sharing(request):
    if not can_change_score_sharing(request.user):
        raise PermissionDenied(SHARING_REFUSED)
    organisation = request.user.organisation
    consent = ProjectionConsent.objects.filter(organisation=organisation).first()
    form = ScoreSharingForm(
        request.POST if request.method == "POST" else None,
        initial={"share": "yes" if consent else "no"},
    )
    if request.method == "POST" and form.is_valid():
        allowed = form.cleaned_data["share"]
        set_score_sharing(user=request.user, allowed=allowed)
        messages.success(
            request,
            f"Other partnerships' projections will {'now show' if allowed else 'no longer show'} "
            f"{organisation}'s scores",
        )
        return redirect("assessments:score_sharing")
    return render(
        request,
        "assessments/insights/score_sharing.html",
        {"form": form, "organisation": organisation, "consent": consent},
        status=400 if form.errors else 200,
    )
