"""Domain errors of the departments app. Views show them as messages, 403s or form errors."""


class DepartmentsError(Exception):
    """Base class: `str(error)` is plain words for the user."""


class NotAnOfficial(DepartmentsError, PermissionError):
    """Only officials of the department that owns an asset may change it."""


class ImportTooLarge(DepartmentsError):
    """The uploaded file is over the size limit."""


class ImportRefused(DepartmentsError):
    """The uploaded file is refused before it is stored (over the row or unpacked-size limit, unreadable)."""


class ImportNotStuck(DepartmentsError):
    """Only a lost (stuck) import may be started again."""
