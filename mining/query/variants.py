"""The one small value type that discovery, conformance and the analysis pass between them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["VariantCount"]


@dataclass(frozen=True)
class VariantCount:
    """One trace variant (a case's activities, in order), how many cases followed it, and a few
    of their case ids as examples for the deviation list."""

    activities: tuple[str, ...]
    cases: int
    example_cases: tuple[str, ...] = ()
