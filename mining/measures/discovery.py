"""Process discovery on counted trace variants: pm4py's inductive miner, never once per case.

DuckDB reduces a log to its variants and their case counts (docs/DESIGN.md, "Storage and compute");
discovery runs on that small table. The result is the same process tree pm4py's facade
``pm4py.discover_process_tree_inductive`` finds on the full log (tests/test_discovery.py proves it
on the running example and the WABO receipt log).

How pm4py takes counted variants: its inductive miner works internally on a "univariate variant
compressed log" (UVCL), a ``collections.Counter`` of activity tuples. The public
``pm4py.algo.discovery.inductive.algorithm.apply`` cannot be handed one in pm4py 2.7.23: it tests
``type(obj) in [UVCL]`` against the *typing alias* ``typing.Counter[Tuple[Any]]``, which a real
Counter never equals, and then treats the Counter as a DataFrame (``AttributeError: 'Counter'
object has no attribute 'loc'``). So this module does what ``apply`` does after building its
Counter: ``IMUVCL`` / ``IMFUVCL(parameters).apply(IMDataStructureUVCL(counter), parameters)``,
then ``fold`` and ``tree_sort``.

pm4py is imported inside the functions (as pm4py itself does): importing it takes seconds and
prints a banner, and ``import mining`` must stay cheap for the CLI.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mining.diagram import BpmnExportError as BpmnExportError
from mining.diagram import write_bpmn as write_bpmn
from mining.errors import MiningError
from mining.query import VariantCount

if TYPE_CHECKING:
    from pm4py.objects.bpmn.obj import BPMN
    from pm4py.objects.process_tree.obj import ProcessTree

__all__ = [
    "BpmnExportError",
    "DiscoveryError",
    "VariantCount",
    "discover_bpmn",
    "discover_process_tree",
    "write_bpmn",
]


class DiscoveryError(MiningError, ValueError):
    """Variants or parameters that discovery cannot work with (none, negative counts, …)."""


def discover_process_tree(
    variants: Sequence[VariantCount], *, noise_threshold: float = 0.2
) -> ProcessTree:
    """The inductive miner's process tree for counted variants.

    ``noise_threshold`` > 0 runs IMf (infrequent): where no cut fits, it drops directly-follows
    relations rarer than that share of the strongest one and tries again; 0 runs the plain
    inductive miner, which keeps all behaviour. Equal to
    ``pm4py.discover_process_tree_inductive(log, noise_threshold=…)`` on the log the variants
    come from. Variants listed twice are added up; the order of ``variants`` does not matter.

    .. code-block:: python3

        tree = discover_process_tree(
            [VariantCount(("Antrag", "Prüfung", "Bescheid"), 120),
             VariantCount(("Antrag", "Bescheid"), 7)],
            noise_threshold=0.2,
        )
    """
    if not isinstance(noise_threshold, int | float) or isinstance(noise_threshold, bool):
        raise DiscoveryError("Der Rauschschwellwert muss eine Zahl zwischen 0 und 1 sein.")
    if not (math.isfinite(noise_threshold) and 0.0 <= noise_threshold <= 1.0):
        raise DiscoveryError(
            f"Der Rauschschwellwert muss zwischen 0 und 1 liegen, nicht {noise_threshold}."
        )
    counter = _counter(variants)

    from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureUVCL
    from pm4py.algo.discovery.inductive.variants.im import IMUVCL
    from pm4py.algo.discovery.inductive.variants.imf import IMFUVCL
    from pm4py.objects.process_tree.utils.generic import fold, tree_sort

    # The parameters pm4py.discover_process_tree_inductive passes. Multiprocessing stays off
    # (also pm4py's default): the miner runs inside web requests, and it does not change the tree.
    parameters = {
        "noise_threshold": float(noise_threshold),
        "multiprocessing": False,
        "disable_fallthroughs": False,
    }
    miner = IMFUVCL(parameters) if noise_threshold > 0 else IMUVCL(parameters)
    tree = miner.apply(IMDataStructureUVCL(counter), parameters)
    # The post-processing of pm4py.algo.discovery.inductive.algorithm.apply.
    tree = fold(tree)
    tree_sort(tree)
    return tree


def discover_bpmn(variants: Sequence[VariantCount], *, noise_threshold: float = 0.2) -> BPMN:
    """The discovered process tree as a pm4py BPMN model (as ``pm4py.discover_bpmn_inductive``).

    Silent steps of the tree become gateways and direct flows; pm4py names the events ``start``
    and ``end`` and leaves gateways unnamed. Write it with :func:`write_bpmn`, which adds the
    diagram layout pm4py's exporter lacks.
    """
    tree = discover_process_tree(variants, noise_threshold=noise_threshold)

    from pm4py.objects.conversion.process_tree.variants import to_bpmn

    return to_bpmn.apply(tree)


def _counter(variants: Sequence[VariantCount]) -> Counter[tuple[str, ...]]:
    """Validated variants as the Counter pm4py's miner takes, in a canonical order.

    pm4py builds its Counter in log order; the miner should not depend on that order, but where
    a tie is broken by iteration order this makes the result depend on the variants only: most
    frequent first, then by activities.
    """
    if isinstance(variants, VariantCount):
        raise DiscoveryError("Erwartet wird eine Liste von Varianten, nicht eine einzelne.")
    totals: dict[tuple[str, ...], int] = {}
    for position, variant in enumerate(variants, start=1):
        if not isinstance(variant, VariantCount):
            raise DiscoveryError(
                f"Variante {position} ist kein VariantCount, sondern {type(variant).__name__}."
            )
        cases = variant.cases
        if isinstance(cases, bool) or not isinstance(cases, int) or cases < 1:
            raise DiscoveryError(
                f"Variante {position}: die Fallzahl muss eine ganze Zahl ≥ 1 sein, nicht {cases!r}."
            )
        if isinstance(variant.activities, str):
            raise DiscoveryError(
                f"Variante {position}: die Aktivitäten müssen eine Folge von Texten sein, "
                "nicht ein einzelner Text."
            )
        activities = tuple(variant.activities)
        if not all(isinstance(a, str) for a in activities):
            raise DiscoveryError(f"Variante {position}: Aktivitäten müssen Texte sein.")
        totals[activities] = totals.get(activities, 0) + cases
    if not totals:
        raise DiscoveryError("Keine Varianten: ohne Fälle lässt sich kein Prozessmodell entdecken.")
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return Counter(dict(ordered))
