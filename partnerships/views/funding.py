"""The funding formula: read it, sign it (executives), record a new version (the lead
partner's executive or an administrator)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from common.access import require

from ..access import can_record_funding, can_sign_funding, get_partnership_for_user
from ..forms import FundingFormulaForm, SignOffForm
from ..models import FundingShare, FundingSignOff
from ..services import (
    EXECUTIVES_ONLY,
    RECORD_REFUSED,
    SignOffRefused,
    current_formula,
    record_funding_formula,
    sign_funding_formula,
)


def _page(request, partnership, *, sign_form=None, sign_error=None, status=200):
    members = list(partnership.memberships.current().select_related("organisation"))
    formulas = list(
        partnership.funding_formulas.prefetch_related(
            Prefetch("sign_offs", queryset=FundingSignOff.objects.select_related("organisation")),
            Prefetch("shares", queryset=FundingShare.objects.select_related("organisation")),
        )
    )
    formula = formulas[0] if formulas else None
    signed = {s.organisation_id: s for s in formula.sign_offs.all()} if formula else {}
    shares = {s.organisation_id: s.percentage for s in formula.shares.all()} if formula else {}
    user = request.user
    may_sign = can_sign_funding(user, partnership)
    can_sign = bool(formula) and may_sign and user.organisation_id not in signed
    if can_sign and sign_form is None:
        sign_form = SignOffForm(
            organisation_name=user.organisation.name,
            initial={"signer_name": user.get_full_name(), "signer_role": user.job_title},
        )
    rows = [
        {
            "membership": m,
            "sign_off": signed.get(m.organisation_id),
            "share": shares.get(m.organisation_id),
        }
        for m in members
    ]
    return render(
        request,
        "partnerships/funding.html",
        {
            "partnership": partnership,
            "formula": formula,
            "rows": rows,
            "agreed": bool(formula) and all(r["sign_off"] for r in rows),
            "history": formulas[1:],
            "can_sign": can_sign,
            "sign_form": sign_form if can_sign else None,
            "sign_error": sign_error,
            # Members who cannot sign are told who does.
            "explain_who_signs": bool(formula)
            and not may_sign
            and user.organisation_id is not None,
            "can_record": can_record_funding(user, partnership),
        },
        status=status,
    )


@login_required
def funding(request, pk: int):
    return _page(request, get_partnership_for_user(request.user, pk))


@login_required
@require_POST
def sign(request, pk: int):
    partnership = get_partnership_for_user(request.user, pk)
    user = request.user
    require(can_sign_funding(user, partnership), EXECUTIVES_ONLY)
    formula = current_formula(partnership)
    if formula is None or request.POST.get("version") != str(formula.version):
        return _page(
            request,
            partnership,
            sign_error="The funding formula has changed since you opened the page. "
            "Read the new version, then sign it",
            status=409,
        )
    form = SignOffForm(request.POST, organisation_name=user.organisation.name)
    if not form.is_valid():
        return _page(request, partnership, sign_form=form)
    try:
        sign_funding_formula(
            formula=formula,
            user=user,
            signer_name=form.cleaned_data["signer_name"],
            signer_role=form.cleaned_data["signer_role"],
        )
    except SignOffRefused as refusal:
        return _page(request, partnership, sign_error=str(refusal), status=409)
    messages.success(
        request,
        f"{user.organisation.name} has signed version {formula.version} of the funding formula.",
    )
    return redirect("partnerships:funding", pk=partnership.pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    partnership = get_partnership_for_user(request.user, pk)
    require(can_record_funding(request.user, partnership), RECORD_REFUSED)
    members = [
        m.organisation for m in partnership.memberships.current().select_related("organisation")
    ]
    formula = current_formula(partnership)
    initial = {}
    if formula is not None:
        initial = {"text": formula.text} | {
            f"share_{share.organisation_id}": share.percentage for share in formula.shares.all()
        }
    form = FundingFormulaForm(
        request.POST if request.method == "POST" else None, members=members, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        new = record_funding_formula(
            partnership=partnership,
            text=form.cleaned_data["text"],
            shares=form.shares(),
            user=request.user,
        )
        messages.success(
            request,
            f"Version {new.version} of the funding formula is recorded. Every member's "
            "executive now needs to sign it.",
        )
        return redirect("partnerships:funding", pk=partnership.pk)
    return render(
        request,
        "partnerships/funding_edit.html",
        {"partnership": partnership, "form": form, "formula": formula},
    )
