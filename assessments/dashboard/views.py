from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from identity.access import awaits_role
from partnerships.access import coordinated_by

from ..access import can_change_score_sharing
from .needs import needs_for
from .selectors import dashboard_for


@login_required
def dashboard(request):
    if awaits_role(request.user):
        # A new single sign-on account sees nothing until someone gives it a role.
        return redirect("identity:no_role_yet")
    rows = dashboard_for(request.user)
    needs = sorted(needs_for(request.user, rows), key=lambda need: not need.urgent)
    return render(
        request,
        "assessments/dashboard.html",
        {
            "dashboard": rows,
            "needs": needs,
            "coordinated": coordinated_by(request.user),
            "can_change_sharing": can_change_score_sharing(request.user),
        },
    )
