"""Inviting many people from a CSV file: upload, a preview of everyone (or every
problem, by line), then all invited together."""

import secrets

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from partnerships.access import get_partnership_to_coordinate

from ..forms import InvitationsFileForm
from ..invitations_csv import InvitationsRefused, check, from_session, invite_all, to_session
from . import done

SESSION_KEY = "coordination_invitations"


def _page(request, partnership, form, problems=(), status=200):
    return render(
        request,
        "coordination/invite_many.html",
        {"partnership": partnership, "form": form, "problems": problems},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, pk: int):
    partnership = get_partnership_to_coordinate(request.user, pk)
    form = InvitationsFileForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _page(request, partnership, form, status=400 if form.errors else 200)
    try:
        invitations = check(form.cleaned_data["file"].read(), partnership)
    except InvitationsRefused as refusal:
        return _page(request, partnership, form, refusal.problems, status=400)
    token = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = {
        "token": token,
        "partnership": partnership.pk,
        "rows": to_session(invitations),
    }
    return render(
        request,
        "coordination/invite_many_preview.html",
        {"partnership": partnership, "invitations": invitations, "token": token},
    )


@login_required
@require_POST
def confirm(request, pk: int):
    partnership = get_partnership_to_coordinate(request.user, pk)
    kept = request.session.get(SESSION_KEY) or {}
    if (
        not kept
        or kept.get("partnership") != partnership.pk
        or not secrets.compare_digest(kept.get("token", ""), request.POST.get("token", ""))
    ):
        return redirect("coordination:invite_many", pk=partnership.pk)
    del request.session[SESSION_KEY]
    try:
        people = invite_all(
            partnership=partnership,
            invitations=from_session(kept["rows"]),
            user=request.user,
            base_url=request.build_absolute_uri("/"),
        )
    except (InvitationsRefused, ValidationError) as refusal:
        problems = getattr(refusal, "problems", None) or refusal.messages
        problems = [
            "Nobody was invited, because the people or members changed since the "
            "preview. Upload the file again",
            *problems,
        ]
        return _page(request, partnership, InvitationsFileForm(), problems, status=409)
    return done(
        request, partnership, f"Invited {len(people)} people. Each has an email with a link"
    )
