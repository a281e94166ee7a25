"""Budget lines and contributions: every write is one transaction with an audit event."""


def contributions_release_for_cancelled_tender(*, tender, actor) -> None:
    """Called by the tender lifecycle, inside its transaction, when a tender is cancelled."""
    return None
