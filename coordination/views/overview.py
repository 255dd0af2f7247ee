from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from partnerships.access import get_partnership_to_coordinate, partnerships_to_coordinate

from ..selectors import overview


@login_required
def partnerships(request):
    return render(
        request,
        "coordination/partnerships.html",
        {"partnerships": partnerships_to_coordinate(request.user).order_by("name")},
    )


@login_required
def partnership(request, pk: int):
    return render(
        request,
        "coordination/overview.html",
        {"overview": overview(get_partnership_to_coordinate(request.user, pk), request.user)},
    )
