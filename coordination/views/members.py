"""Adding members (an existing organisation, or a new one), ending a membership, and
choosing the lead partner."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from partnerships.access import get_partnership_to_coordinate
from partnerships.coordination import add_member, change_lead, end_membership
from partnerships.models import Membership, Organisation

from ..forms import EndMembershipForm, JoinForm, LeadForm, NewOrganisationForm, SearchForm
from . import done, show_errors

RESULTS_SHOWN = 20


@login_required
def find_organisation(request, pk: int):
    partnership = get_partnership_to_coordinate(request.user, pk)
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        query = " ".join(form.cleaned_data["q"].split())
        members = Membership.objects.current().filter(partnership=partnership)
        results = list(
            Organisation.objects.filter(Q(name__icontains=query) | Q(gss_code__iexact=query))
            .exclude(pk__in=members.values("organisation_id"))
            .order_by("name")[: RESULTS_SHOWN + 1]
        )
    return render(
        request,
        "coordination/find_organisation.html",
        {
            "partnership": partnership,
            "form": form,
            "results": results[:RESULTS_SHOWN] if results is not None else None,
            "more": results is not None and len(results) > RESULTS_SHOWN,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_existing(request, pk: int, organisation_id: int):
    partnership = get_partnership_to_coordinate(request.user, pk)
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_member(
                partnership=partnership,
                organisation=organisation,
                joined_on=form.cleaned_data["joined_on"],
                user=request.user,
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            return done(request, partnership, f"{organisation.name} is now a member")
    return render(
        request,
        "coordination/add_member.html",
        {"partnership": partnership, "organisation": organisation, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_new(request, pk: int):
    partnership = get_partnership_to_coordinate(request.user, pk)
    form = NewOrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = Organisation(
            name=data["name"], kind=data["kind"], gss_code=data["gss_code"], region=data["region"]
        )
        try:
            add_member(
                partnership=partnership,
                organisation=organisation,
                joined_on=data["joined_on"],
                user=request.user,
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            return done(request, partnership, f"{organisation.name} is now a member")
    return render(
        request,
        "coordination/new_organisation.html",
        {"partnership": partnership, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def end(request, pk: int, membership_id: int):
    partnership = get_partnership_to_coordinate(request.user, pk)
    membership = get_object_or_404(
        Membership.objects.current().select_related("organisation", "partnership"),
        pk=membership_id,
        partnership=partnership,
    )
    form = EndMembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            end_membership(
                membership=membership, left_on=form.cleaned_data["left_on"], user=request.user
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            return done(request, partnership, f"{membership.organisation.name}'s membership ends")
    return render(
        request,
        "coordination/end_membership.html",
        {"partnership": partnership, "membership": membership, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def lead(request, pk: int):
    partnership = get_partnership_to_coordinate(request.user, pk)
    memberships = (
        Membership.objects.current()
        .filter(partnership=partnership)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    current = next((m for m in memberships if m.role == "lead"), None)
    form = LeadForm(
        request.POST or None,
        memberships=memberships,
        initial={"membership": current.pk if current else None},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["membership"]
        try:
            change_lead(partnership=partnership, membership=chosen, user=request.user)
        except ValidationError as error:
            show_errors(form, error)
        else:
            return done(request, partnership, f"{chosen.organisation.name} is the lead partner")
    return render(
        request,
        "coordination/lead.html",
        {"partnership": partnership, "form": form},
        status=400 if form.errors else 200,
    )
