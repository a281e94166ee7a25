"""What each kind of notification says, in the active language, from the parameters stored with it.

A notification keeps its kind (the code) and its parameters (`Notification.params`: references, names, amounts
as plain numbers, a reason or a question as typed); its title and body are written again whenever they are shown,
in the language of whoever reads them (the inbox) or receives them (the e-mail). The English title and body are
stored as well, for the admin and for rows written before parameters existed, which are shown as they were.
"""

from __future__ import annotations

import datetime

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from config.numbers import money


def _title_and_body(kind: str, p: dict) -> tuple[str, str]:
    if kind == "contribution_requested":
        words = {**p, "amount": money(p["amount"])}
        return (
            gettext("%(tender)s asks %(amount)s %(currency)s of %(line)s") % words,
            gettext(
                "%(actor)s asked %(amount)s %(currency)s of the budget line “%(line)s” for the tender %(tender)s "
                "“%(title)s”. Approve or reject it in the approval queue."
            )
            % words,
        )
    if kind == "contribution_withdrawn":
        words = {**p, "amount": money(p["amount"])}
        return (
            gettext("%(tender)s no longer asks %(amount)s %(currency)s of %(line)s") % words,
            gettext(
                "%(actor)s withdrew the request of %(amount)s %(currency)s of the budget line “%(line)s” for the "
                "tender %(tender)s “%(title)s”. It has left the approval queue and the money is available again."
            )
            % words,
        )
    if kind == "approval_waiting":
        return (
            gettext("%(tender)s waits for finance approval") % p,
            gettext("“%(title)s” was submitted and waits for a finance decision (approve or return).") % p,
        )
    if kind == "tender_returned":
        title = gettext("%(tender)s was returned to draft") % p
        if p.get("reason"):
            return title, gettext("“%(title)s” was returned to draft by finance. Reason: %(reason)s") % p
        return title, gettext("“%(title)s” was returned to draft by finance.") % p
    if kind == "tender_approved":
        title = gettext("%(tender)s was approved") % p
        if p.get("reason"):
            return (
                title,
                gettext("“%(title)s” was approved by finance and can now be published. Reason: %(reason)s")
                % p,
            )
        return title, gettext("“%(title)s” was approved by finance and can now be published.") % p
    if kind == "sign_off_requested":
        words = {**p, "departments": ", ".join(p["departments"])}
        return (
            gettext("%(tender)s waits for the sign-off of %(departments)s") % words,
            gettext(
                "%(actor)s (%(lead)s) asks %(departments)s to sign off what the tender %(tender)s “%(title)s” "
                "takes from your department: its bundled assets and its budget contributions. It cannot be "
                "submitted before."
            )
            % words,
        )
    if kind == "question_asked":
        return (
            gettext("A partner asked a question on %(tender)s") % p,
            gettext("“%(question)s” Answer it so that every partner sees the answer.") % p,
        )
    if kind == "question_answered":
        return (
            gettext("Your question on %(tender)s was answered") % p,
            gettext("Question: %(question)s\n\nAnswer: %(answer)s") % p,
        )
    if kind == "report_due":
        words = {**p, "due": date_format(datetime.date.fromisoformat(p["due"]), "SHORT_DATE_FORMAT")}
        return (
            gettext("Period %(period)s of %(contract)s: your report is due by %(due)s") % words,
            gettext(
                "The period has ended. Report a value for every indicator of the contract and the actual "
                "maintenance and energy costs, with evidence. What is not verified by then counts as not "
                "reported."
            ),
        )
    if kind == "report_submitted":
        return (
            gettext("%(partner)s reported period %(period)s of %(contract)s") % p,
            gettext(
                "Verify each measurement and the actual costs of the report; the payment certificate is computed "
                "once every line is reviewed."
            ),
        )
    if kind == "report_line_rejected":
        words = {**p, "line": p["line"] or gettext("Actual costs")}
        return (
            gettext("%(contract)s, period %(period)s: “%(line)s” was rejected") % words,
            gettext("Reason given by the city: %(reason)s") % words,
        )
    if kind == "certificate_waiting":
        words = {**p, "amount": money(p["amount"])}
        return (
            gettext("Payment certificate of %(contract)s, period %(period)s, waits for approval") % words,
            gettext(
                "%(amount)s %(currency)s payable. Two different finance users approve it before it is paid."
            )
            % words,
        )
    raise KeyError(kind)


def title_and_body(kind: str, params: dict) -> tuple[str, str]:
    """The title and body of a notification of `kind`, in the active language. KeyError for an unknown kind or
    a missing parameter."""
    return _title_and_body(kind, params)


def english_title_and_body(kind: str, params: dict) -> tuple[str, str]:
    """The title and body stored with the row (English, the source language)."""
    with translation.override("en"):
        return _title_and_body(kind, params)
