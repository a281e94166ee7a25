"""Browser views of department sign-offs: POST only, back to the tender page's sign-off panel. Thin: the
services decide who may ask, sign and withdraw; a refusal of role is a 403, anything else a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from departments.models import Department
from procurement.exceptions import SignOffNotPermitted, TenderError
from procurement.forms_signoffs import SignOffForm, WithdrawSignOffForm
from procurement.selectors import tenders as selectors
from procurement.services import signoffs as services


def _back(tender):
    return redirect(reverse("procurement:tender-detail", args=[tender.reference]) + "#sign-offs")


@login_required
@require_POST
def signoff_request(request, reference):
    tender = selectors.tender_get_for_user(user=request.user, reference=reference)
    try:
        asked = services.signoff_request(tender=tender, actor=request.user)
    except SignOffNotPermitted as error:
        raise PermissionDenied(str(error)) from error
    except TenderError as error:
        messages.error(request, str(error))
    else:
        if asked:
            messages.success(
                request,
                _("Sign-off asked of %(departments)s; their officials are told.")
                % {"departments": ", ".join(asked)},
            )
        else:
            messages.info(request, _("Every participating department has signed off: nobody to ask."))
    return _back(tender)


@login_required
@require_POST
def signoff_give(request, reference, department_id):
    tender = selectors.tender_get_for_user(user=request.user, reference=reference)
    department = get_object_or_404(Department, pk=department_id)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was not understood; nothing was signed."))
        return _back(tender)
    try:
        services.signoff_give(
            tender=tender,
            department=department,
            actor=request.user,
            expected_hash=form.cleaned_data["snapshot_hash"],
        )
    except SignOffNotPermitted as error:
        raise PermissionDenied(str(error)) from error
    except TenderError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(department)s signed off %(reference)s.")
            % {"department": department.name, "reference": tender.reference},
        )
    return _back(tender)


@login_required
@require_POST
def signoff_withdraw(request, reference, department_id):
    tender = selectors.tender_get_for_user(user=request.user, reference=reference)
    department = get_object_or_404(Department, pk=department_id)
    form = WithdrawSignOffForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.signoff_withdraw(tender=tender, department=department, actor=request.user, comment=comment)
    except SignOffNotPermitted as error:
        raise PermissionDenied(str(error)) from error
    except TenderError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(department)s withdrew its sign-off of %(reference)s.")
            % {"department": department.name, "reference": tender.reference},
        )
    return _back(tender)
