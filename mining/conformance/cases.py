"""The cases behind a deviation.

Replay works per variant, so a deviation knows the variants that show it (``Deviation.variants``,
``variants`` of its record): their numbers as :func:`get_variants` lists the checked view's
variants. Its cases are the cases of those variants, in the same view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from mining.conformance.deviations import DeviationKind
from mining.conformance.errors import ConformanceError
from mining.conformance.replay import ConformanceResult
from mining.query import CaseList, CaseOrder, LogView, filter_variants, get_cases

__all__ = ["deviation_cases", "deviation_variants"]


def deviation_variants(
    conformance: ConformanceResult | Mapping[str, Any], kind: str, activity: str
) -> tuple[int, ...]:
    """The numbers of the variants that show ``kind`` at ``activity`` in ``conformance`` (a
    :class:`ConformanceResult` or its record, e.g. ``analyze(view, …)["conformance"]``); a
    deviation the check did not find is an error naming the ones it found."""
    if kind not in get_args(DeviationKind):
        raise ConformanceError(
            f"Unbekannte Abweichungsart „{kind}“; möglich: {', '.join(get_args(DeviationKind))}."
        )
    if isinstance(conformance, ConformanceResult):
        found = [(d.kind, d.activity, d.variants) for d in conformance.deviations]
    else:
        found = [
            (str(d["kind"]), str(d["activity"]), tuple(d.get("variants") or ()))
            for d in conformance.get("deviations") or []
        ]
    for found_kind, found_activity, variants in found:
        if (found_kind, found_activity) == (kind, activity):
            return tuple(int(n) for n in variants)
    known = ", ".join(f"{k}:{a}" for k, a, _ in found[:10]) or "keine"
    raise ConformanceError(
        f"Die Abweichung {kind}:{activity} kommt in dieser Auswahl nicht vor. "
        f"Gefunden: {known}{' …' if len(found) > 10 else ''}."
    )


def deviation_cases(
    view: LogView,
    conformance: ConformanceResult | Mapping[str, Any],
    kind: str,
    activity: str,
    *,
    limit: int | None = None,
    order: CaseOrder = "duration",
) -> CaseList:
    """The cases of ``view`` that show ``kind`` at ``activity``, as :func:`get_cases` lists them
    (variant numbers those of ``view``).

        ``conformance`` must be the check of ``view`` itself (the variant numbers are ``view``'s):
        the :class:`ConformanceResult` of ``check_conformance`` over ``get_variants(view)``, or the
        ``conformance`` record of ``analyze(view, …)``.

        Example::

            result = analyze(view, process=context)
            deviation_cases(view, result["conformance"], "skipped", "Bescheid prüfen", limit=20)
    """
    variants = deviation_variants(conformance, kind, activity)
    return get_cases(filter_variants(view, variants), limit=limit, order=order, numbering=view)
