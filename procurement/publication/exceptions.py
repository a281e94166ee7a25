"""Domain errors of publication, shown as messages in the browser and as 400/403/409 in the API."""


class PublicationError(Exception):
    """A publication rule was broken (e.g. amending a tender that is not published)."""


class ReleaseImmutable(PublicationError):
    """A stored release was about to be edited or deleted: published data is append-only."""


class QuestionNotAllowed(PublicationError):
    """A clarification question or answer is not allowed (tender closed, already answered, not permitted)."""
