"""Who may download a tender document: the tender's visibility rule, nothing of its own.

A document of a published tender is public (it was published with the tender); a document of any other
tender goes only to users who may see that tender (`tender_list_for_user`). Anything else is a 404, like a
tender that does not exist.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from procurement.models import TenderDocument
from procurement.publication.selectors import tender_list_published
from procurement.selectors.tenders import tender_list_for_user


def document_name(document: TenderDocument) -> str:
    """The name a download gets: the uploader's, or (files stored before names were kept) the stored one."""
    return document.original_name or document.file.name.rsplit("/", 1)[-1]


def tender_document_get_public(*, reference: str, pk: int) -> TenderDocument:
    """A document of a published tender, for anyone; Http404 otherwise."""
    document = (
        TenderDocument.objects.filter(tender__in=tender_list_published(), tender__reference=reference, pk=pk)
        .select_related("tender")
        .first()
    )
    if document is None:
        raise Http404(_("No such document."))
    return document


def tender_document_get_for_user(*, user, reference: str, pk: int) -> TenderDocument:
    """A document of a tender `user` may see, or of a published tender; Http404 otherwise."""
    visible = TenderDocument.objects.filter(tender__reference=reference, pk=pk).select_related("tender")
    document = visible.filter(tender__in=tender_list_for_user(user=user)).first()
    if document is None:
        return tender_document_get_public(reference=reference, pk=pk)
    return document
