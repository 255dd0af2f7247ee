from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .needs import needs_for
from .selectors import dashboard_for


@login_required
def dashboard(request):
    rows = dashboard_for(request.user)
    needs = sorted(needs_for(request.user, rows), key=lambda need: not need.urgent)
    return render(request, "assessments/dashboard.html", {"dashboard": rows, "needs": needs})
