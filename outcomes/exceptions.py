"""Domain errors of the outcomes app; views show them as messages or form errors."""


class OutcomeError(Exception):
    """Base class of the outcomes app's domain errors."""


class NotAllowed(OutcomeError):
    """The actor may not make this change (views turn it into 403)."""


class MeasurementImportInvalid(OutcomeError):
    """A measurement CSV has bad cells; nothing was saved. `errors` is [{row, column, message}, …]."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the file; nothing was imported.")
