"""Officials answer partners' clarification questions and amend published tenders in the browser.

Answers and amendments are published to everyone (an amendment appends a `tenderAmendment` release).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procurement.models import ClarificationQuestion, Tender
from procurement.publication import selectors
from procurement.publication.exceptions import PublicationError, QuestionNotAllowed
from procurement.publication.forms import TenderAmendForm
from procurement.publication.services import question_answer as answer_service
from procurement.publication.services import tender_amend


@login_required
def question_list(request):
    page = Paginator(selectors.questions_awaiting_answer(user=request.user), 20).get_page(
        request.GET.get("page")
    )
    refused = request.session.pop("question-answer-refused", None)
    return render(request, "procurement/question_list.html", {"page": page, "refused": refused})


@login_required
@require_POST
def question_answer(request, pk: int):
    question = get_object_or_404(
        ClarificationQuestion.objects.select_related("tender"),
        pk=pk,
        tender__in=selectors.tender_list_published(),
    )
    if not selectors.user_can_answer_questions(user=request.user, tender=question.tender):
        # The question is on a public tender, so it is visible: forbidden, not missing.
        return render(request, "procurement/question_forbidden.html", {"question": question}, status=403)
    try:
        answer_service(question=question, answer=request.POST.get("answer", ""), actor=request.user)
    except QuestionNotAllowed as error:
        # Shown at the answer field of this question on the next page, with what was typed (post/redirect/get).
        request.session["question-answer-refused"] = {
            "pk": question.pk,
            "answer": request.POST.get("answer", ""),
            "error": str(error),
        }
        messages.error(request, _("The answer was not published: see the problem at the answer."))
    else:
        messages.success(request, _("Answer published."))
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("procurement:question-list")


@login_required
def tender_amend_view(request, reference: str):
    tender = get_object_or_404(
        selectors.tender_list_published().select_related("lead_department"), reference=reference
    )
    # Same people as for answers: lead department officials and central finance.
    if not selectors.user_can_answer_questions(user=request.user, tender=tender):
        return render(request, "procurement/public_amend_forbidden.html", {"tender": tender}, status=403)
    if tender.status != Tender.Status.PUBLISHED:
        messages.error(request, _("Only an open published tender can be amended."))
        return redirect("procurement:public-tender-detail", reference=tender.reference)
    form = TenderAmendForm(request.POST or None, instance=Tender.objects.get(pk=tender.pk))
    if request.method == "POST" and form.is_valid():
        try:
            tender_amend(
                tender=tender, actor=request.user, comment=form.cleaned_data["comment"], **form.changes()
            )
        except PublicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Amendment published."))
            return redirect("procurement:public-tender-detail", reference=tender.reference)
    return render(request, "procurement/public_tender_amend.html", {"tender": tender, "form": form})
