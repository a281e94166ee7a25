"""Browser views: the partner portal (/partner/) and the city's proposals, evaluation, report and award pages.

Thin: selectors decide what is visible (the sealing rule is `selectors.proposal_content`), services decide.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from config.charts import Bar, horizontal_bars
from departments.models import Membership
from procurement.models import Tender
from procurement.proposals import award as award_services
from procurement.proposals import evaluation as evaluation_services
from procurement.proposals import selectors, services
from procurement.proposals.display import compliance_problems_display, price_job_error_display
from procurement.proposals.exceptions import ProposalError
from procurement.proposals.forms import ProposalForm, QuestionForm, ReasonForm, RequirementsForm
from procurement.proposals.models import Evaluation, FinancingModel, QualityCriterion
from procurement.publication import selectors as publication
from procurement.publication import services as publication_services
from procurement.publication.exceptions import QuestionNotAllowed
from procurement.selectors.tenders import is_finance_for, is_lead_official, tender_get_for_user

# --- Partner portal --------------------------------------------------------------------------------------------


class PartnerLoginView(auth_views.LoginView):
    template_name = "proposals/partner_login.html"
    next_page = reverse_lazy("partner:home")


def partner_required(view):
    """Signed in AND a person of a partner organisation (city staff get 403 here)."""

    @wraps(view)
    @login_required(login_url="partner:login")
    def wrapper(request, *args, **kwargs):
        organisation = selectors.partner_organisation_of(user=request.user)
        if organisation is None:
            raise PermissionDenied(_("The partner portal is for people of partner organisations."))
        request.organisation = organisation
        return view(request, *args, **kwargs)

    return wrapper


@partner_required
def partner_home(request):
    tenders = (
        publication.tender_list_published().filter(status=Tender.Status.PUBLISHED).order_by("-published_at")
    )
    proposals = []
    for proposal in selectors.proposals_of_organisation(organisation=request.organisation):
        versions = sorted(proposal.versions.all(), key=lambda v: v.number)
        proposals.append({"proposal": proposal, "receipts": [_receipt(v) for v in versions]})
    return render(
        request,
        "proposals/partner_home.html",
        {"tenders": tenders, "proposals": proposals, "organisation": request.organisation},
    )


def _receipt(version) -> dict:
    """The receipt (`selectors.receipt`, codes as the API gives them) with its kind in the reader's words."""
    return {**selectors.receipt(version), "kind_label": version.get_kind_display()}


def model_labels(models: list[str]) -> list[str]:
    """Financing model codes (engine names) as the reader's words."""
    return [str(FinancingModel(m).label) if m in FinancingModel.values else m for m in models or []]


def _published_or_404(reference: str) -> Tender:
    tender = publication.tender_get_published(reference=reference)
    if tender is None:
        raise Http404(_("No such published tender."))
    return tender


def _targets(tender: Tender):
    return list(tender.targeted_outcomes.select_related("indicator").order_by("indicator_id"))


@partner_required
def partner_tender(request, reference: str):
    tender = _published_or_404(reference)
    proposal = selectors.proposal_of_organisation(tender=tender, organisation=request.organisation)
    return _render_partner_tender(request, tender, proposal, _proposal_form(request, tender, proposal))


def _proposal_form(request, tender, proposal) -> ProposalForm:
    """The proposal form, filled with the organisation's standing proposal if it has one."""
    current = selectors.latest_version(proposal=proposal) if proposal else None
    initial = {}
    if current is not None and current.kind != current.Kind.WITHDRAW:
        content = selectors.proposal_content(version=current, user=request.user)
        initial = {
            "financing_model": content["financing_model"],
            "at_risk_share": content["at_risk_share"],
            "summary": content["summary"],
            **content["figures"],
            **{f"committed_{t['indicator_id']}": t["committed_value"] for t in content["targets"]},
        }
    return ProposalForm(initial=initial, targets=_targets(tender))


def _render_partner_tender(request, tender, proposal, form, status=200, question_form=None):
    organisation = request.organisation
    versions = sorted(proposal.versions.all(), key=lambda v: v.number) if proposal else []
    requirements = selectors.requirements_for(tender=tender)
    return render(
        request,
        "proposals/partner_tender.html",
        {
            "tender": tender,
            "requirements": requirements,
            "accepted_models": model_labels(requirements.accepted_models) if requirements else [],
            "deadline_passed": selectors.deadline_passed(tender=tender),
            "documents": tender.documents.all(),
            # Every answered question, and this organisation's own still waiting for an answer.
            "questions": publication.questions_for_partner(tender=tender, organisation=organisation),
            "questions_closed": publication.questions_closed_reason(tender=tender),
            "question_form": question_form or QuestionForm(),
            "proposal": proposal,
            "receipts": [_receipt(v) for v in versions],
            "form": form,
            "scores": selectors.partner_scores(tender=tender, organisation=organisation),
        },
        status=status,
    )


@require_POST
@partner_required
def partner_proposal_save(request, reference: str):
    tender = _published_or_404(reference)
    proposal = selectors.proposal_of_organisation(tender=tender, organisation=request.organisation)
    form = ProposalForm(request.POST, request.FILES, targets=_targets(tender))
    if form.is_valid():
        documents = [
            services.DocumentUpload(upload.name, upload.read(), upload.name)
            for upload in form.cleaned_data.get("documents") or []
        ]
        replacing = proposal is not None and proposal.status == proposal.Status.SUBMITTED
        try:
            save = services.proposal_replace if replacing else services.proposal_submit
            version = save(
                tender=tender,
                organisation=request.organisation,
                content=form.content(),
                documents=documents,
                user=request.user,
            )
        except ProposalError as error:
            form.add_service_errors(error.errors)
        else:
            messages.success(
                request,
                _("Proposal received at %(received)s. Receipt (sha256): %(sha256)s")
                % {
                    "received": f"{version.received_at:%Y-%m-%d %H:%M:%S %Z}",
                    "sha256": version.content_sha256,
                },
            )
            return redirect("partner:tender", reference=tender.reference)
    return _render_partner_tender(request, tender, proposal, form, status=400)


@require_POST
@partner_required
def partner_question_ask(request, reference: str):
    """A clarification question from the portal (the API takes them too); the answer is published to all."""
    tender = _published_or_404(reference)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            publication_services.question_ask(
                tender=tender, organisation=request.organisation, question=form.cleaned_data["question"]
            )
        except QuestionNotAllowed as error:
            form.add_error("question", str(error))
        else:
            messages.success(
                request, _("Your question was sent. Its answer will be published here to every partner.")
            )
            return redirect("partner:tender", reference=tender.reference)
    proposal = selectors.proposal_of_organisation(tender=tender, organisation=request.organisation)
    return _render_partner_tender(
        request, tender, proposal, _proposal_form(request, tender, proposal), status=400, question_form=form
    )


@require_POST
@partner_required
def partner_proposal_withdraw(request, reference: str):
    tender = _published_or_404(reference)
    try:
        services.proposal_withdraw(tender=tender, organisation=request.organisation, user=request.user)
    except ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your proposal was withdrawn (the withdrawal is recorded as a version)."))
    return redirect("partner:tender", reference=tender.reference)


# --- City: what the tender asks, the box, the opening ------------------------------------------------------------


def _city_tender(request, reference: str) -> Tender:
    if selectors.partner_organisation_of(user=request.user) is not None:
        raise PermissionDenied(_("City pages are for city staff."))
    return tender_get_for_user(user=request.user, reference=reference)


def _criteria_lines(text: str) -> tuple[list[services.CriterionInput], list[str]]:
    criteria, problems = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3:
            problems.append(_("Line %(number)s: write name | weight | scoring guide.") % {"number": number})
            continue
        try:
            weight = Decimal(parts[1])
        except InvalidOperation:
            problems.append(
                _("Line %(number)s: the weight “%(weight)s” is not a number.")
                % {"number": number, "weight": parts[1]}
            )
            continue
        criteria.append(services.CriterionInput(parts[0], weight, parts[2]))
    return criteria, problems


@login_required
def tender_requirements(request, reference: str):
    tender = _city_tender(request, reference)
    if not is_lead_official(user=request.user, tender=tender):
        raise PermissionDenied(_("Only officials of the lead department set what the tender asks."))
    existing = selectors.requirements_for(tender=tender)
    if request.method == "POST":
        form = RequirementsForm(request.POST)
        if form.is_valid():
            criteria, problems = _criteria_lines(form.cleaned_data["criteria"])
            for problem in problems:
                form.add_error("criteria", problem)
            if not problems:
                data = services.RequirementsInput(
                    proposal_deadline=form.cleaned_data["proposal_deadline"],
                    clarification_deadline=form.cleaned_data["clarification_deadline"],
                    accepted_models=form.cleaned_data["accepted_models"],
                    minimum_at_risk_share=form.cleaned_data["minimum_at_risk_share"],
                    price_weight=form.cleaned_data["price_weight"],
                    outcome_weight=form.cleaned_data["outcome_weight"],
                    standstill_days=form.cleaned_data["standstill_days"],
                    quality_criteria=criteria,
                )
                try:
                    services.tender_requirements_set(tender=tender, data=data, actor=request.user)
                except ProposalError as error:
                    for field, problems in error.errors.items():
                        for problem in problems:
                            form.add_error(field if field in form.fields else None, problem)
                else:
                    messages.success(request, _("What the tender asks was saved."))
                    return redirect("proposals:tender-proposals", reference=tender.reference)
    else:
        initial = {}
        if existing is not None:
            initial = {
                "proposal_deadline": existing.proposal_deadline,
                "clarification_deadline": existing.clarification_deadline,
                "accepted_models": existing.accepted_models,
                "minimum_at_risk_share": existing.minimum_at_risk_share,
                "price_weight": existing.price_weight,
                "outcome_weight": existing.outcome_weight,
                "standstill_days": existing.standstill_days,
                "criteria": "\n".join(
                    f"{c.name} | {c.weight.normalize():f} | {c.scoring_guide}"
                    for c in tender.quality_criteria.all()
                ),
            }
        form = RequirementsForm(initial=initial)
    return render(request, "proposals/tender_requirements.html", {"tender": tender, "form": form})


@login_required
def tender_proposals(request, reference: str):
    tender = _city_tender(request, reference)
    state = selectors.proposals_for_city(tender=tender, user=request.user)
    figure_labels = {name: field.label for name, field in ProposalForm.base_fields.items()}
    for item in state["proposals"]:
        content = item["content"]
        item["model_label"] = (model_labels([content["financing_model"]]) or [""])[0]
        item["figures"] = [(figure_labels.get(k, k), v) for k, v in (content.get("figures") or {}).items()]
    return render(
        request,
        "proposals/tender_proposals.html",
        {
            "tender": tender,
            "state": state,
            "accepted_models": model_labels(state["requirements"].accepted_models)
            if state["requirements"]
            else [],
            "criteria": tender.quality_criteria.all(),
            "is_lead": is_lead_official(user=request.user, tender=tender),
            "evaluation": selectors.evaluation_for(tender=tender),
        },
    )


@require_POST
@login_required
def tender_proposals_open(request, reference: str):
    tender = _city_tender(request, reference)
    try:
        services.proposals_open(tender=tender, actor=request.user)
    except ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your opening is recorded."))
    return redirect("proposals:tender-proposals", reference=tender.reference)


@login_required
def proposal_document(request, reference: str, pk: int, position: int):
    """A proposal's document, under the sealing rule (`selectors.proposal_document_bytes`): the submitting
    organisation's people always, city users of the tender only once the box is open."""
    tender = (
        tender_get_for_user(user=request.user, reference=reference)
        if not selectors.partner_organisation_of(user=request.user)
        else _published_or_404(reference)
    )
    version = next((v for v in selectors.standing_versions(tender=tender) if v.proposal_id == pk), None)
    document = version.documents.filter(position=position).first() if version else None
    if document is None:
        raise Http404(_("No such document."))
    try:
        meta = selectors.proposal_content(version=version, user=request.user)["documents"][position]
        body = selectors.proposal_document_bytes(document=document, user=request.user)
    except ProposalError:
        raise Http404(_("No such document.")) from None
    response = HttpResponse(body, content_type=meta["content_type"] or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="proposal-{pk}-{position + 1}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- City: evaluation ------------------------------------------------------------------------------------------


def _evaluation_or_404(tender: Tender) -> Evaluation:
    evaluation = selectors.evaluation_for(tender=tender)
    if evaluation is None:
        raise Http404(_("The evaluation has not started."))
    return evaluation


@require_POST
@login_required
def evaluation_start(request, reference: str):
    tender = _city_tender(request, reference)
    officials = Membership.objects.filter(
        department_id=tender.lead_department_id,
        role=Membership.Role.OFFICIAL,
        user__username__in=request.POST.getlist("evaluators"),
    ).select_related("user")
    try:
        evaluation_services.evaluation_start(
            tender=tender, actor=request.user, evaluators=[m.user for m in officials]
        )
    except ProposalError as error:
        messages.error(request, str(error))
        return redirect("proposals:tender-proposals", reference=tender.reference)
    messages.success(request, _("The evaluation started; the engine prices the proposals."))
    return redirect("proposals:evaluation", reference=tender.reference)


@login_required
def evaluation_page(request, reference: str):
    tender = _city_tender(request, reference)
    evaluation = _evaluation_or_404(tender)
    state = selectors.proposals_for_city(tender=tender, user=request.user)
    evaluator = selectors.evaluator_for(evaluation=evaluation, user=request.user)
    if not state["proposals"] and evaluator is None:
        raise PermissionDenied(
            _("Only the tender's officials, finance staff and evaluators see its evaluation.")
        )
    criteria = list(QualityCriterion.objects.filter(tender=tender))
    scores = {s.proposal_id: s for s in selectors.ranking(evaluation=evaluation)}
    ranking = list(scores.values())
    for score in ranking:
        score.problems_display = compliance_problems_display(score.compliance_problems)
    return render(
        request,
        "proposals/evaluation.html",
        {
            "tender": tender,
            "evaluation": evaluation,
            "evaluator": evaluator,
            "evaluators": evaluation.evaluators.select_related("user"),
            "criteria": criteria,
            "proposals": [
                p
                for p in state["proposals"]
                if scores.get(p["proposal"].pk) and scores[p["proposal"].pk].compliant
            ],
            "ranking": ranking,
            "visible_scores": selectors.quality_scores_visible_to(evaluation=evaluation, user=request.user),
            "all_in": selectors.all_quality_scores_in(evaluation=evaluation),
            "is_lead": is_lead_official(user=request.user, tender=tender),
            "is_finance": is_finance_for(user=request.user, tender=tender),
            "award": (award := selectors.award_for(tender=tender)),
            "standstill_over": bool(
                award and award.standstill_ends_at and timezone.now() >= award.standstill_ends_at
            ),
            "reason_form": ReasonForm(),
            "error_message": price_job_error_display(evaluation.error_message),
        },
    )


@require_POST
@login_required
def evaluation_declare(request, reference: str):
    tender = _city_tender(request, reference)
    try:
        evaluation_services.evaluator_declare(
            evaluation=_evaluation_or_404(tender),
            actor=request.user,
            statement=request.POST.get("statement", ""),
        )
    except ProposalError as error:
        messages.error(request, str(error))
    return redirect("proposals:evaluation", reference=tender.reference)


@require_POST
@login_required
def evaluation_score(request, reference: str):
    tender = _city_tender(request, reference)
    evaluation = _evaluation_or_404(tender)
    items = []
    for key in request.POST:
        if key.startswith("points-"):
            _prefix, pid, cid = key.split("-")
            raw = request.POST.get(key, "").strip()
            items.append(
                evaluation_services.ScoreInput(
                    int(pid),
                    int(cid),
                    int(raw) if raw.isdigit() else None,
                    request.POST.get(f"reason-{pid}-{cid}", ""),
                )
            )
    try:
        evaluation_services.quality_scores_submit(evaluation=evaluation, actor=request.user, scores=items)
    except ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Your scores are saved; others see them once every evaluator has scored.")
        )
    return redirect("proposals:evaluation", reference=tender.reference)


@require_POST
@login_required
def evaluation_retry(request, reference: str):
    tender = _city_tender(request, reference)
    try:
        evaluation_services.evaluation_retry(evaluation=_evaluation_or_404(tender), actor=request.user)
    except ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The price job was queued again."))
    return redirect("proposals:evaluation", reference=tender.reference)


@require_POST
@login_required
def evaluation_finalise(request, reference: str):
    tender = _city_tender(request, reference)
    try:
        evaluation_services.evaluation_finalise(evaluation=_evaluation_or_404(tender), actor=request.user)
    except ProposalError as error:
        messages.error(request, str(error))
    return redirect("proposals:evaluation", reference=tender.reference)


# --- City: the evaluation report (table, chart, CSV, XLSX) ------------------------------------------------------

REPORT_COLUMNS = [
    "rank",
    "organisation",
    "compliant",
    "npv",
    "price_score",
    "outcome_score",
    "quality_score",
    "total",
    "problems",
]


def report_headers() -> list[str]:
    """The report's column headers in the reader's language (the English ones are the keys). The report is
    read by people and never imported back, so its CSV/XLSX carry these headers too (docs/decisions.md)."""
    labels = {
        "rank": pgettext("evaluation report column", "rank"),
        "organisation": pgettext("evaluation report column", "organisation"),
        "compliant": pgettext("evaluation report column", "compliant"),
        "npv": pgettext("evaluation report column", "npv"),
        "price_score": pgettext("evaluation report column", "price_score"),
        "outcome_score": pgettext("evaluation report column", "outcome_score"),
        "quality_score": pgettext("evaluation report column", "quality_score"),
        "total": pgettext("evaluation report column", "total"),
        "problems": pgettext("evaluation report column", "problems"),
    }
    return [labels[c] for c in REPORT_COLUMNS]


def _report_rows(request, tender: Tender) -> list[dict]:
    evaluation = _evaluation_or_404(tender)
    if evaluation.status != Evaluation.Status.FINAL:
        raise Http404(_("The report is written when the evaluation is final."))
    if not selectors.proposals_for_city(tender=tender, user=request.user)["proposals"]:
        raise PermissionDenied(
            _("Only the tender's officials, finance staff and evaluators read its report.")
        )
    return [
        {
            "rank": s.rank or "",
            "organisation": s.proposal.organisation.name,
            "compliant": _("yes") if s.compliant else _("no"),
            "npv": s.npv if s.npv is not None else "",
            "price_score": s.price_score if s.price_score is not None else "",
            "outcome_score": s.outcome_score if s.outcome_score is not None else "",
            "quality_score": s.quality_score if s.quality_score is not None else "",
            "total": s.total if s.total is not None else "",
            "problems": " ".join(compliance_problems_display(s.compliance_problems)),
        }
        for s in sorted(selectors.ranking(evaluation=evaluation), key=lambda s: (s.rank is None, s.rank or 0))
    ]


@login_required
def evaluation_report(request, reference: str):
    tender = _city_tender(request, reference)
    rows = _report_rows(request, tender)
    chart = horizontal_bars(
        [Bar(r["organisation"], r["total"], f"{r['total']}") for r in rows if r["total"] != ""],
        title=_("Total score per compliant proposal (0–100)"),
    )
    reasons = selectors.quality_scores_visible_to(evaluation=tender.evaluation, user=request.user)
    return render(
        request,
        "proposals/evaluation_report.html",
        {"tender": tender, "rows": rows, "chart": chart, "reasons": reasons, "columns": report_headers()},
    )


@login_required
def evaluation_report_csv(request, reference: str):
    tender = _city_tender(request, reference)
    rows = _report_rows(request, tender)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(report_headers())
    writer.writerows([[row[c] for c in REPORT_COLUMNS] for row in rows])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{tender.reference}-evaluation.csv"'
    return response


@login_required
def evaluation_report_xlsx(request, reference: str):
    from openpyxl import Workbook

    tender = _city_tender(request, reference)
    rows = _report_rows(request, tender)
    book = Workbook()
    sheet = book.active
    sheet.title = pgettext("spreadsheet sheet name", "Evaluation")
    sheet.append(report_headers())
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row.values()])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{tender.reference}-evaluation.xlsx"'
    return response


@login_required
def evaluation_report_pdf(request, reference: str):
    from procurement.proposals.report_pdf import report_pdf

    tender = _city_tender(request, reference)
    rows = _report_rows(request, tender)
    reasons = [
        {
            "evaluator": s.evaluator.user.get_full_name() or s.evaluator.user.username,
            "organisation": s.proposal.organisation.name,
            "criterion": s.criterion.name,
            "points": s.points,
            "reason": s.reason,
        }
        for s in selectors.quality_scores_visible_to(evaluation=tender.evaluation, user=request.user)
    ]
    body = report_pdf(
        title=_("Evaluation report %(reference)s: %(title)s")
        % {"reference": tender.reference, "title": tender.title},
        rows=rows,
        reasons=reasons,
        columns=REPORT_COLUMNS,
        headers=report_headers(),
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{tender.reference}-evaluation.pdf"'
    return response


# --- City: award ---------------------------------------------------------------------------------------------


def _award_action(request, reference: str, action) -> HttpResponse:
    tender = _city_tender(request, reference)
    try:
        action(tender)
    except ProposalError as error:
        messages.error(request, str(error))
    except Exception as error:  # TenderError from the lifecycle (e.g. cancelling after signature)
        from procurement.exceptions import TenderError

        if not isinstance(error, TenderError):
            raise
        messages.error(request, str(error))
    return redirect("proposals:evaluation", reference=tender.reference)


@require_POST
@login_required
def award_recommend(request, reference: str):
    return _award_action(
        request, reference, lambda t: award_services.award_recommend(tender=t, actor=request.user)
    )


@require_POST
@login_required
def award_approve(request, reference: str):
    reason = request.POST.get("override_reason", "")
    return _award_action(
        request,
        reference,
        lambda t: award_services.award_approve(tender=t, actor=request.user, override_reason=reason),
    )


@require_POST
@login_required
def award_sign(request, reference: str):
    return _award_action(
        request, reference, lambda t: award_services.contract_sign(tender=t, actor=request.user)
    )


@require_POST
@login_required
def award_cancel(request, reference: str):
    reason = request.POST.get("reason", "")
    return _award_action(
        request,
        reference,
        lambda t: award_services.tender_cancel_with_reason(tender=t, actor=request.user, reason=reason),
    )
