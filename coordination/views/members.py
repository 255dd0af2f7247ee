"""Adding members (an existing organisation, or a new one), ending a membership, and
choosing the lead partner."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from partnerships.access import get_partnership_to_coordinate
from partnerships.coordination import add_member, change_lead, end_membership
from partnerships.models import Membership, Organisation

from ..forms import EndMembershipForm, JoinForm, LeadForm, NewOrganisationForm, SearchForm
from . import form_page

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
            Organisation.objects.matching(query)
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

    def change(data):
        add_member(
            partnership=partnership,
            organisation=organisation,
            joined_on=data["joined_on"],
            user=request.user,
        )
        return f"{organisation.name} is now a member"

    form = JoinForm(request.POST or None)
    return form_page(
        request,
        partnership,
        form,
        "coordination/add_member.html",
        change,
        organisation=organisation,
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_new(request, pk: int):
    partnership = get_partnership_to_coordinate(request.user, pk)

    def change(data):
        organisation = Organisation(
            name=data["name"], kind=data["kind"], gss_code=data["gss_code"], region=data["region"]
        )
        add_member(
            partnership=partnership,
            organisation=organisation,
            joined_on=data["joined_on"],
            user=request.user,
        )
        return f"{organisation.name} is now a member"

    form = NewOrganisationForm(request.POST or None)
    return form_page(request, partnership, form, "coordination/new_organisation.html", change)


@login_required
@require_http_methods(["GET", "POST"])
def end(request, pk: int, membership_id: int):
    partnership = get_partnership_to_coordinate(request.user, pk)
    membership = get_object_or_404(
        Membership.objects.current().select_related("organisation", "partnership"),
        pk=membership_id,
        partnership=partnership,
    )

    def change(data):
        end_membership(membership=membership, left_on=data["left_on"], user=request.user)
        return f"{membership.organisation.name}'s membership ends"

    form = EndMembershipForm(request.POST or None)
    return form_page(
        request,
        partnership,
        form,
        "coordination/end_membership.html",
        change,
        membership=membership,
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

    def change(data):
        chosen = data["membership"]
        change_lead(partnership=partnership, membership=chosen, user=request.user)
        return f"{chosen.organisation.name} is the lead partner"

    form = LeadForm(
        request.POST or None,
        memberships=memberships,
        initial={"membership": current.pk if current else None},
    )
    return form_page(request, partnership, form, "coordination/lead.html", change)
