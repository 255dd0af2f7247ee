"""People who arrived by single sign-on with no role: the page they see, and the page
where their organisation's executive gives them one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from common.access import require

from ..access import awaits_role, can_assign_role, can_give_roles, people_to_give_roles
from ..forms import AssignRoleForm
from ..services import assign_first_role


@login_required
def no_role_yet(request):
    if not awaits_role(request.user):
        return redirect("assessments:dashboard")
    return render(request, "identity/no_role.html")


@login_required
def people_awaiting_role(request):
    require(can_give_roles(request.user), "Only your organisation's executives can give roles")
    return render(
        request,
        "identity/people_awaiting_role.html",
        {"people": people_to_give_roles(request.user).order_by("last_name", "first_name")},
    )


@login_required
def assign_role(request, pk: int):
    require(can_give_roles(request.user), "Only your organisation's executives can give roles")
    person = get_object_or_404(people_to_give_roles(request.user), pk=pk)
    if not can_assign_role(request.user, person):
        raise Http404
    form = AssignRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assign_first_role(person=person, role=form.cleaned_data["role"], user=request.user)
        messages.success(
            request,
            f"{person.get_full_name() or person.email} is now {person.get_role_display()}",
        )
        return redirect("identity:people_awaiting_role")
    return render(request, "identity/assign_role.html", {"person": person, "form": form})
