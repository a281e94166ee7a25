"""Writes of publication: releases are appended, never edited."""


def release_on_transition(*, tender, action: str, actor) -> None:
    """Called by the tender lifecycle, inside its transaction, after publish, award, cancel (and amend)."""
    return None
