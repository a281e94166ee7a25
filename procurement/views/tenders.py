"""Browser views of tender drafting and the lifecycle. Thin: forms check shapes, services decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from config.forms import add_service_errors, stash_refused_form, take_refused_form
from config.uploads import attachment_response
from departments.filters import AssetFilter
from departments.models import Department, Membership
from departments.selectors import asset_queryset_with_end_of_life
from procurement import forms
from procurement.exceptions import TenderError, TenderNotEditable, TransitionNotPermitted
from procurement.models import Tender, TenderAsset
from procurement.publication.exceptions import PublicationError
from procurement.publication.validation import OcdsInvalid
from procurement.selectors import documents as document_selectors
from procurement.selectors import tenders as selectors
from procurement.selectors.bundle import bundled_table_html, tender_bundle
from procurement.selectors.signoffs import tender_sign_off_states_from_bundle
from procurement.services import tenders as services

BUNDLED_PAGE_SIZE = 50
PICKER_PAGE_SIZE = 25
STEPS = [
    ("basics", gettext_lazy("Basics"), "procurement:tender-edit"),
    ("assets", gettext_lazy("Assets"), "procurement:tender-assets"),
    ("outcomes", gettext_lazy("Outcomes"), "procurement:tender-outcomes"),
    ("documents", gettext_lazy("Documents"), "procurement:tender-documents"),
    ("review", gettext_lazy("Financing, budget and review"), "procurement:tender-review"),
]


def _steps(tender: Tender, current: str) -> list[dict]:
    return [
        {"key": key, "label": label, "url": reverse(name, args=[tender.reference]), "current": key == current}
        for key, label, name in STEPS
    ]


def _editable_or_403(request, tender: Tender) -> None:
    if not selectors.can_edit(user=request.user, tender=tender):
        if tender.status != Tender.Status.DRAFT:
            raise PermissionDenied(
                _("Only drafts can be changed; this tender is %(status)s.")
                % {"status": tender.get_status_display()}
            )
        raise PermissionDenied(_("Only officials of the lead department can change this draft."))


def _show_error(request, error: TenderError) -> None:
    messages.error(request, str(error))


REFUSAL_KEY = "tender-action-refused:{reference}"


def _reason_missing() -> set[str]:
    """The refusals a rule gives when a reason is missing: shown at the reason field itself, not only at the top."""
    return {services.cancel_reason_missing(), services.cancel_reason_missing_awarded()}


def _stash_refusal(request, *, tender: Tender, data: dict, error: Exception) -> None:
    """Keep a refused action's problems and what was typed for the next page of this tender (post/redirect/get):
    the action's form shows them in an error summary and at the reason field, with the typed text kept."""
    if isinstance(error, TenderError):
        headline, problems = error.message, error.problems or []
    elif isinstance(error, OcdsInvalid):
        headline, problems = _("The publication would be refused:"), list(error.errors[:5])
    else:
        headline, problems = _("Nothing was changed:"), list(getattr(error, "messages", [str(error)]))[:5]
    reason_missing = _reason_missing()
    reason_problems = [p for p in problems if p in reason_missing]
    request.session[REFUSAL_KEY.format(reference=tender.reference)] = {
        "action": data["action"],
        "headline": headline,
        "problems": [p for p in problems if p not in reason_problems]
        or ([] if reason_problems else [headline]),
        "comment_error": reason_problems[0] if reason_problems else "",
        "comment": data.get("comment", ""),
        "award_supplier_name": data.get("award_supplier_name", ""),
    }
    # Also as a message: the refused action may not be offered on the page at all (e.g. a move from a state
    # that does not allow it), and then its form is not there to show the problems.
    messages.error(
        request,
        # Translators: headline is the refusal ("… cannot be moved with “Submit for approval”:"), problems its list.
        (
            _("%(reference)s was not changed. %(headline)s %(problems)s")
            % {"reference": tender.reference, "headline": headline, "problems": " ".join(problems[:5])}
        ).strip(),
    )


@login_required
def tender_list(request):
    tenders = selectors.tender_list_for_user(user=request.user)
    status = request.GET.get("status", "")
    if status in Tender.Status.values:
        tenders = tenders.filter(status=status)
    page = Paginator(tenders, 25).get_page(request.GET.get("page"))
    lead_departments = selectors.user_roles(user=request.user).departments_with(Membership.Role.OFFICIAL)
    return render(
        request,
        "procurement/tender_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Tender.Status.choices,
            "can_create": bool(lead_departments),
        },
    )


@login_required
def tender_create(request):
    lead_ids = selectors.user_roles(user=request.user).departments_with(Membership.Role.OFFICIAL)
    if not lead_ids:
        raise PermissionDenied(_("Only officials of a department can draft tenders."))
    lead_departments = Department.objects.filter(pk__in=lead_ids)
    form = forms.TenderBasicsForm(request.POST or None, lead_departments=lead_departments)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            tender = services.tender_create(actor=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        except TenderError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Draft %(reference)s created. Now bundle its assets.") % {"reference": tender.reference},
            )
            return redirect("procurement:tender-assets", tender.reference)
    return render(request, "procurement/tender_form.html", {"form": form, "tender": None})


@login_required
def tender_edit(request, reference):
    tender = selectors.tender_get_for_user(user=request.user, reference=reference)
    _editable_or_403(request, tender)
    form = forms.TenderBasicsForm(request.POST or None, instance=tender)
    if request.method == "POST" and form.is_valid():
        try:
            services.tender_update(tender=tender, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except TenderError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Basics saved."))
            return redirect("procurement:tender-assets", tender.reference)
    return render(
        request,
        "procurement/tender_form.html",
        {"form": form, "tender": tender, "steps": _steps(tender, "basics")},
    )


def _detail_context(request, tender: Tender) -> dict:
    refusal = request.session.pop(REFUSAL_KEY.format(reference=tender.reference), None)
    return {**_tender_page_context(request, tender), "refusal": refusal}


def _tender_page_context(request, tender: Tender) -> dict:
    # The bundle is read once and cached under a version read fresh on every request (selectors/bundle.py);
    # department names come from the participating departments, read live.
    bundle = tender_bundle(tender=tender)
    participating = list(
        selectors.tender_participating_departments(tender=tender, asset_department_ids=bundle.department_ids)
    )
    participating_ids = {d.pk for d in participating}
    names = {d.pk: d.name for d in participating}
    summary = bundle.summary(names)
    signoff_states = tender_sign_off_states_from_bundle(tender=tender, bundle=bundle, names=names)
    paginator = Paginator(selectors.tender_bundled_assets(tender=tender), BUNDLED_PAGE_SIZE)
    # The summary already counted the bundled assets: spare the paginator its COUNT(*) query.
    paginator.count = summary["asset_count"]
    bundled = paginator.get_page(request.GET.get("page"))
    return {
        "tender": tender,
        "participating": participating,
        "summary": summary,
        "signoff_states": (tender.pk, signoff_states),
        "bundled": bundled,
        "bundled_html": bundled_table_html(tender=tender, bundle=bundle, page=bundled),
        "outcomes": tender.targeted_outcomes.select_related("indicator", "indicator__outcome"),
        "documents": tender.documents.all(),
        "events": tender.events.select_related("actor"),
        "comments": tender.comments.select_related("author"),
        "actions": services.available_actions(
            tender=tender, actor=request.user, participating=participating_ids
        ),
        "can_edit": selectors.can_edit(user=request.user, tender=tender),
        "can_comment": selectors.can_comment(
            user=request.user, tender=tender, participating=participating_ids
        ),
        "comment_form": take_refused_form(request, f"comment:{tender.reference}", forms.CommentForm)
        or forms.CommentForm(),
        "steps": _steps(tender, "review") if tender.status == Tender.Status.DRAFT else None,
    }


@login_required
def tender_detail(request, reference):
    tender = selectors.tender_get_for_user(user=request.user, reference=reference)
    context = _detail_context(request, tender)
    if request.htmx and request.GET.get("page"):
        return HttpResponse(context["bundled_html"])
    return render(request, "procurement/tender_detail.html", context)


@login_required
def tender_finance_panels(request, reference):
    """The pooled-budget and financing panels of the tender page, loaded by htmx after the page (they cost as
    much to render as the rest of the page together); without JavaScript the page links here: a page of its own."""
    tender = selectors.tender_get_for_user(user=request.user, reference=reference)
    if request.htmx:
        return render(request, "procurement/_tender_finance_panels.html", {"tender": tender})
    return render(request, "procurement/tender_finance_panels.html", {"tender": tender})


@login_required
def tender_review(request, reference):
    tender = selectors.tender_get_for_user(user=request.user, reference=reference)
    context = _detail_context(request, tender)
    context["review"] = True
    context["problems"] = selectors.tender_readiness_problems(tender=tender)
    if tender.status == Tender.Status.DRAFT:
        from finance.selectors import tender_financing_problems, tender_funding_problems

        context["problems"] += list(tender_financing_problems(tender=tender))
        context["problems"] += list(tender_funding_problems(tender=tender, stage="submit"))
    return render(request, "procurement/tender_detail.html", context)


@login_required
def tender_assets(request, reference):
    tender = selectors.tender_get_for_user(user=request.user, reference=reference)
    _editable_or_403(request, tender)
    params = request.POST if request.method == "POST" else request.GET
    in_other = TenderAsset.objects.filter(asset=OuterRef("pk"), active=True).exclude(tender=tender)
    in_this = TenderAsset.objects.filter(asset=OuterRef("pk"), tender=tender)
    asset_filter = AssetFilter(
        params,
        queryset=asset_queryset_with_end_of_life().annotate(
            in_other=Exists(in_other), in_this=Exists(in_this)
        ),
    )
    # Assets another active tender holds cannot be added: hidden unless asked for ("show_bundled").
    show_bundled = params.get("show_bundled") == "1"
    add_form = forms.AssetAddForm(request.POST or None)
    if request.method == "POST":
        if "remove" in request.POST:
            ids = [int(x) for x in request.POST.getlist("remove") if x.isdigit()]
            try:
                removed = services.tender_assets_remove(tender=tender, asset_ids=ids, actor=request.user)
            except TenderError as error:
                _show_error(request, error)
            else:
                messages.success(request, _("%(count)s asset(s) removed.") % {"count": removed})
            return redirect("procurement:tender-assets", tender.reference)
        if add_form.is_valid() and asset_filter.is_valid():
            data = add_form.cleaned_data
            assets = _picker_results(asset_filter, show_bundled=show_bundled)
            if data["scope"] == "selected":
                assets = assets.model.objects.filter(pk__in=data["asset"])
            try:
                result = services.tender_assets_add_free(
                    tender=tender, assets=assets.order_by(), action=data["action"], actor=request.user
                )
            except TenderError as error:
                _show_error(request, error)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("%(count)s asset(s) added to %(reference)s.")
                    % {"count": result.added, "reference": tender.reference},
                )
                if result.skipped:
                    messages.warning(request, _skipped_message(result.skipped))
                return redirect(
                    reverse("procurement:tender-assets", args=[tender.reference]) + _filter_query(params)
                )
        # Otherwise the bound form re-renders in place: its error summary stands at the top of the picker.
    results = Paginator(
        _picker_results(asset_filter, show_bundled=show_bundled)
        if asset_filter.is_valid()
        else asset_filter.queryset.none(),
        PICKER_PAGE_SIZE,
    )
    context = {
        "tender": tender,
        "filter": asset_filter,
        "results": results.get_page(params.get("page")),
        "add_form": add_form,
        "summary": selectors.tender_asset_summary(tender=tender),
        "bundled": Paginator(selectors.tender_bundled_assets(tender=tender), BUNDLED_PAGE_SIZE).get_page(
            request.GET.get("bundled_page")
        ),
        "show_bundled": show_bundled,
        "filter_query": _filter_query(params),
        "filter_pairs": (_filter_query(params)[1:] + "&") if _filter_query(params) else "",
        "steps": _steps(tender, "assets"),
    }
    if request.htmx and request.method == "GET":
        return render(request, "procurement/_tender_asset_results.html", context)
    return render(request, "procurement/tender_assets.html", context)


def _picker_results(asset_filter: AssetFilter, *, show_bundled: bool):
    """The picker's matches: the filter's, less the assets another active tender holds unless asked for."""
    return asset_filter.qs if show_bundled else asset_filter.qs.filter(in_other=False)


SKIPPED_SHOWN = 10


def _skipped_message(skipped: list[tuple[str, str]]) -> str:
    """Which assets were left out and why; another tender is named only when the user may see it (the
    service already blanked the others' references)."""
    shown = ", ".join(
        _("%(asset)s (in %(tender)s)") % {"asset": asset, "tender": reference}
        if reference
        else _("%(asset)s (in another tender)") % {"asset": asset}
        for asset, reference in skipped[:SKIPPED_SHOWN]
    )
    if len(skipped) > SKIPPED_SHOWN:
        shown = _("%(assets)s and %(count)s more") % {"assets": shown, "count": len(skipped) - SKIPPED_SHOWN}
    return _("%(count)s asset(s) skipped because another active tender already bundles them: %(assets)s.") % {
        "count": len(skipped),
        "assets": shown,
    }


def _filter_query(params) -> str:
    """The asset filter's parameters as a query string, to keep the picker's filter across a redirect."""
    from django.http import QueryDict

    kept = QueryDict(mutable=True)
    for name in [*AssetFilter.base_filters, "show_bundled"]:
        if params.get(name):
            kept[name] = params.get(name)
    return f"?{kept.urlencode()}" if kept else ""


@login_required
def tender_outcomes(request, reference):
    tender = selectors.tender_get_for_user(user=request.user, reference=reference)
    _editable_or_403(request, tender)
    initial = [
        {"indicator": o.indicator_id, "target_value": o.target_value, "payment_weight": o.payment_weight}
        for o in tender.targeted_outcomes.all()
    ]
    formset = forms.OutcomeTargetFormSet(request.POST or None, initial=initial, prefix="outcomes")
    if request.method == "POST" and formset.is_valid():
        targets = [
            services.OutcomeTarget(
                indicator_id=f.cleaned_data["indicator"].pk,
                target_value=f.cleaned_data["target_value"],
                payment_weight=f.cleaned_data.get("payment_weight"),
            )
            for f in formset.forms
            if f.cleaned_data.get("indicator")
        ]
        try:
            services.tender_outcomes_set(tender=tender, targets=targets, actor=request.user)
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)
        except TenderError as error:
            formset._non_form_errors = formset.error_class([str(error)])
        else:
            messages.success(request, _("%(count)s targeted indicator(s) saved.") % {"count": len(targets)})
            return redirect("procurement:tender-documents", tender.reference)
    return render(
        request,
        "procurement/tender_outcomes.html",
        {"tender": tender, "formset": formset, "steps": _steps(tender, "outcomes")},
    )


@login_required
def tender_documents(request, reference):
    tender = selectors.tender_get_for_user(user=request.user, reference=reference)
    editable = selectors.can_edit(user=request.user, tender=tender)
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        _editable_or_403(request, tender)
        if form.is_valid():
            try:
                services.tender_document_add(
                    tender=tender,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    uploaded_file=form.cleaned_data["file"],
                    actor=request.user,
                )
            except TenderError as error:
                for problem in error.problems or [error.message]:
                    form.add_error("file", problem)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Document attached."))
                return redirect("procurement:tender-documents", tender.reference)
    return render(
        request,
        "procurement/tender_documents.html",
        {
            "tender": tender,
            "form": form,
            "documents": tender.documents.select_related("uploaded_by"),
            "can_edit": editable,
            "steps": _steps(tender, "documents") if tender.status == Tender.Status.DRAFT else None,
        },
    )


@login_required
def tender_document_download(request, reference, pk):
    document = document_selectors.tender_document_get_for_user(user=request.user, reference=reference, pk=pk)
    return attachment_response(
        document.file, filename=document_selectors.document_name(document), content_type=document.content_type
    )


@login_required
@require_POST
def tender_transition(request, reference):
    tender = selectors.tender_get_for_user(user=request.user, reference=reference)
    form = forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was not understood; nothing changed."))
        return redirect("procurement:tender-detail", tender.reference)
    data = form.cleaned_data
    try:
        tender = services.tender_transition(
            tender=tender,
            action=data["action"],
            actor=request.user,
            comment=data["comment"],
            award_supplier_name=data["award_supplier_name"],
            award_value=data["award_value"],
            award_date=data["award_date"],
        )
    except TransitionNotPermitted as error:
        raise PermissionDenied(str(error)) from error
    except (TenderError, ValidationError, PublicationError, OcdsInvalid) as error:
        # Anything the rules or the data refuse is shown in the action's own form, next to what the user typed
        # (nothing was changed); never a server error.
        _stash_refusal(request, tender=tender, data=data, error=error)
        if data["action"] == "submit":
            return redirect(reverse("procurement:tender-review", args=[tender.reference]) + "#actions")
        return redirect(reverse("procurement:tender-detail", args=[tender.reference]) + "#actions")
    else:
        messages.success(
            request,
            _("%(reference)s is now %(status)s.")
            % {"reference": tender.reference, "status": str(tender.get_status_display()).lower()},
        )
    return redirect("procurement:tender-detail", tender.reference)


@login_required
@require_POST
def tender_comment(request, reference):
    tender = selectors.tender_get_for_user(user=request.user, reference=reference)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.tender_comment_add(tender=tender, body=form.cleaned_data["body"], actor=request.user)
        except TransitionNotPermitted as error:
            raise PermissionDenied(str(error)) from error
        except ValidationError as error:
            stash_refused_form(
                request,
                f"comment:{tender.reference}",
                data={"body": request.POST.get("body", "")},
                errors={"body": error.messages},
            )
        else:
            messages.success(request, _("Comment added."))
    else:
        stash_refused_form(
            request, f"comment:{tender.reference}", data={"body": request.POST.get("body", "")}, errors={}
        )
    return redirect(reverse("procurement:tender-detail", args=[tender.reference]) + "#comments")


__all__ = ["TenderNotEditable"]
