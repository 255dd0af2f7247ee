from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import dashboard_for


@login_required
def dashboard(request):
    return render(request, "assessments/dashboard.html", {"dashboard": dashboard_for(request.user)})
