"""Discovery on counted variants gives exactly the tree pm4py finds on the full log."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pandas as pd
import pm4py
import pytest

from mining.errors import MiningError
from mining.measures.discovery import (
    DiscoveryError,
    VariantCount,
    discover_bpmn,
    discover_process_tree,
)

EVENT_LOGS = Path(__file__).parent.parent / "event_logs"
LOGS = {
    "running-example": EVENT_LOGS / "running-example.xes",
    "receipt": EVENT_LOGS / "08_receipt.xes.gz",
}


@pytest.fixture(scope="module")
def logs() -> dict[str, pd.DataFrame]:
    return {name: pm4py.read_xes(str(path), variant="iterparse") for name, path in LOGS.items()}


def variants_of(log: pd.DataFrame) -> list[VariantCount]:
    """The variants as the project's aggregate step hands them over: counted, most frequent first.

    Computed here with pandas, independently of pm4py's own variant code, so the test compares
    two different routes to the tree.
    """
    ordered = log.sort_values(["case:concept:name", "time:timestamp"], kind="stable")
    traces = ordered.groupby("case:concept:name", sort=False)["concept:name"].agg(tuple)
    counts = Counter(traces.tolist())
    return [VariantCount(activities, cases) for activities, cases in counts.most_common()]


class TestTreeEqualsPm4py:
    @pytest.mark.parametrize("noise_threshold", [0.0, 0.2])
    @pytest.mark.parametrize("log_name", sorted(LOGS))
    def test_same_tree_as_pm4py_on_the_full_log(
        self, logs: dict[str, pd.DataFrame], log_name: str, noise_threshold: float
    ) -> None:
        log = logs[log_name]
        variants = variants_of(log)
        assert sum(v.cases for v in variants) == log["case:concept:name"].nunique()

        ours = discover_process_tree(variants, noise_threshold=noise_threshold)
        reference = pm4py.discover_process_tree_inductive(log, noise_threshold=noise_threshold)

        assert str(ours) == str(reference)
        assert ours == reference  # ProcessTree.__eq__ compares the structure

    def test_noise_threshold_changes_the_receipt_tree(self, logs: dict[str, pd.DataFrame]) -> None:
        # Guards against a threshold that silently never reaches the miner.
        variants = variants_of(logs["receipt"])
        assert str(discover_process_tree(variants, noise_threshold=0.0)) != str(
            discover_process_tree(variants, noise_threshold=0.2)
        )

    @pytest.mark.parametrize("noise_threshold", [0.0, 0.2])
    def test_order_of_variants_does_not_matter(
        self, logs: dict[str, pd.DataFrame], noise_threshold: float
    ) -> None:
        variants = variants_of(logs["receipt"])
        forward = discover_process_tree(variants, noise_threshold=noise_threshold)
        backward = discover_process_tree(variants[::-1], noise_threshold=noise_threshold)
        assert str(forward) == str(backward)

    def test_repeated_variants_are_added_up(self) -> None:
        split = [
            VariantCount(("a", "b", "c"), 3),
            VariantCount(("a", "c"), 1),
            VariantCount(("a", "b", "c"), 2),
        ]
        merged = [VariantCount(("a", "b", "c"), 5), VariantCount(("a", "c"), 1)]
        assert str(discover_process_tree(split, noise_threshold=0.3)) == str(
            discover_process_tree(merged, noise_threshold=0.3)
        )

    def test_counts_weigh_like_cases(self) -> None:
        # One repeated "a" among 50 straight cases is noise to IMf; among 1 it is half the log.
        # (IMf filters only where no cut fits, hence a repetition rather than a skipped step.)
        rare = [VariantCount(("a", "b", "c"), 50), VariantCount(("a", "b", "a", "c"), 1)]
        even = [VariantCount(("a", "b", "c"), 1), VariantCount(("a", "b", "a", "c"), 1)]
        assert str(discover_process_tree(rare, noise_threshold=0.2)) == "->( 'a', 'b', 'c' )"
        assert "*(" in str(discover_process_tree(even, noise_threshold=0.2))
        assert "*(" in str(discover_process_tree(rare, noise_threshold=0.0))

    def test_empty_traces_become_a_skip(self) -> None:
        tree = discover_process_tree(
            [VariantCount((), 4), VariantCount(("a",), 6)], noise_threshold=0.0
        )
        assert str(tree) == "X( tau, 'a' )"


class TestDiscoverBpmn:
    @pytest.mark.parametrize("log_name", sorted(LOGS))
    def test_same_model_as_pm4py(self, logs: dict[str, pd.DataFrame], log_name: str) -> None:
        log = logs[log_name]
        ours = discover_bpmn(variants_of(log), noise_threshold=0.2)
        reference = pm4py.discover_bpmn_inductive(log, noise_threshold=0.2)
        assert _shape(ours) == _shape(reference)

    def test_umlauts_and_markup_stay_activity_names(self) -> None:
        names = ("Antrag prüfen", "<script>", "Müller & Söhne")
        bpmn = discover_bpmn([VariantCount(names, 3)], noise_threshold=0.0)
        tasks = {n.get_name() for n in bpmn.get_nodes() if type(n).__name__ == "Task"}
        assert tasks == set(names)


def _shape(bpmn: object) -> tuple[Counter[str], Counter[str], int]:
    """What two BPMN models share when their ids are random: element types, names, flow count."""
    nodes = bpmn.get_nodes()  # type: ignore[attr-defined]
    return (
        Counter(type(n).__name__ for n in nodes),
        Counter(n.get_name() for n in nodes),
        len(bpmn.get_flows()),  # type: ignore[attr-defined]
    )


class TestInvalidInput:
    @pytest.mark.parametrize(
        "variants",
        [
            pytest.param([], id="no-variants"),
            pytest.param([VariantCount(("a",), 0)], id="zero-cases"),
            pytest.param([VariantCount(("a",), -2)], id="negative-cases"),
            pytest.param([VariantCount(("a",), True)], id="bool-cases"),
            pytest.param([VariantCount(("a",), 1.5)], id="float-cases"),  # type: ignore[arg-type]
            pytest.param([VariantCount("ab", 1)], id="string-as-activities"),  # type: ignore[arg-type]
            pytest.param([VariantCount(("a", 3), 1)], id="non-text-activity"),  # type: ignore[arg-type]
            pytest.param([(("a",), 1)], id="plain-tuple"),
            pytest.param(VariantCount(("a",), 1), id="single-variant"),
        ],
    )
    def test_bad_variants(self, variants: object) -> None:
        with pytest.raises(DiscoveryError) as caught:
            discover_process_tree(variants)  # type: ignore[arg-type]
        assert isinstance(caught.value, MiningError)
        assert isinstance(caught.value, ValueError)

    @pytest.mark.parametrize("threshold", [-0.1, 1.5, math.nan, math.inf, "0.2", None, True])
    def test_bad_noise_threshold(self, threshold: object) -> None:
        with pytest.raises(DiscoveryError, match="Rauschschwellwert"):
            discover_process_tree(
                [VariantCount(("a",), 1)],
                noise_threshold=threshold,  # type: ignore[arg-type]
            )

    def test_bpmn_validates_the_same_way(self) -> None:
        with pytest.raises(DiscoveryError):
            discover_bpmn([])
