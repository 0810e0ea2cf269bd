"""The exceptions of conformance checking.

Each subclasses :class:`mining.errors.MiningError` and the builtin it refines, so a page can catch
the domain error and a script the builtin. Messages are German and name the BPMN element (name and
id) or the activity concerned.
"""

from __future__ import annotations

from mining.errors import MiningError

__all__ = ["ActivityMappingError", "ConformanceError", "ModelConversionError"]


class ModelConversionError(MiningError, ValueError):
    """A BPMN model (or one of its elements) that cannot be turned into a Petri net.

    ``element`` is the id of the offending element where there is one (a complex gateway, an
    unresolvable call activity, a process id that is not in the file), else ``None``.
    """

    def __init__(self, message: str, *, element: str | None = None) -> None:
        self.element = element
        super().__init__(message)


class ActivityMappingError(MiningError, ValueError):
    """A manual activity mapping that names a model label the model does not have."""


class ConformanceError(MiningError, ValueError):
    """Variants, options or a model that the conformance check cannot work with."""
