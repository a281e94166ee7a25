"""Officials answer partners' clarification questions in the browser; answers are published to everyone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from procurement.models import ClarificationQuestion
from procurement.publication import selectors
from procurement.publication.exceptions import QuestionNotAllowed
from procurement.publication.services import question_answer as answer_service


@login_required
def question_list(request):
    page = Paginator(selectors.questions_awaiting_answer(user=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "procurement/question_list.html", {"page": page})


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
        messages.error(request, str(error))
    else:
        messages.success(request, "Answer published.")
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("procurement:question-list")
