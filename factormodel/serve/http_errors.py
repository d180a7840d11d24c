"""Which HTTP status (and default request location) each library error gets.

Lookups of things that do not exist are 404, input the library cannot use is 422,
out-of-range options are 400; any other :class:`FactorModelError` is 400.
"""

from __future__ import annotations

from factormodel.errors import (
    DataError,
    FactorModelError,
    InvalidDeltaError,
    InvalidParameterError,
    ModelFileError,
    ModelValidationError,
    NotConvergentError,
    UnknownAreaError,
    UnknownEdgeError,
    UnknownIndicatorError,
    UnknownModelError,
    UnknownNodeError,
)

__all__ = ["error_status"]

#: HTTP status and default request location of each library error.
_STATUS: list[tuple[type[FactorModelError], int, str | None]] = [
    (UnknownModelError, 404, "path.model"),
    (UnknownAreaError, 404, "body.area"),
    (UnknownNodeError, 404, "body"),
    (UnknownIndicatorError, 422, "body.dataset"),
    (UnknownEdgeError, 404, "body"),
    (ModelValidationError, 422, None),
    (ModelFileError, 422, None),
    (DataError, 422, "body.dataset"),
    (InvalidDeltaError, 422, "body.deltas"),
    (NotConvergentError, 422, "path.model"),
    (InvalidParameterError, 400, "body"),
]


def error_status(exc: FactorModelError) -> tuple[int, str | None]:
    """HTTP status and default location for a library error (400 for any other).

    Examples
    --------
    >>> from factormodel.errors import UnknownAreaError
    >>> error_status(UnknownAreaError("x"))
    (404, 'body.area')
    """
    for cls, status, where in _STATUS:
        if isinstance(exc, cls):
            return status, where
    return 400, None


