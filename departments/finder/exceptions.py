"""Domain errors of the opportunity finder. Views show them next to the form field they are about, or as 403."""

from departments.exceptions import DepartmentsError


class FinderError(DepartmentsError):
    """Base class: `str(error)` is plain words for the user."""


class FinderNotPermitted(FinderError, PermissionError):
    """Only officials (any department) and finance staff use the finder; only officials start tenders."""


class FinderInputRejected(FinderError):
    """The parameters, or the data they select, cannot give a candidate. `errors` maps a form field (or
    "__all__") to its messages, so the page shows each next to its field."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(" ".join(m for messages in errors.values() for m in messages))


class NothingToBundle(FinderError):
    """Every asset of the candidate is already in another active tender (or no longer in service)."""
