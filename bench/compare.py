"""Do the two sides of the benchmark compute the same results? A pure function of their JSON."""

from __future__ import annotations

import math

FITNESS_TOLERANCE = 1e-6  # absolute
DURATION_TOLERANCE = 1e-6  # relative
SHOWN = 10  # differences listed per kind before the rest is summed up


def _counted(rows: list, key_length: int) -> dict[tuple, int]:
    """Variants ``[[acts], n]`` or DFG edges ``[s, t, n]`` as ``{key: n}``."""
    if key_length == 1:
        return {tuple(activities): int(count) for activities, count in rows}
    return {tuple(row[:key_length]): int(row[key_length]) for row in rows}


def _counts_differ(what: str, stock: dict, pmo: dict) -> list[str]:
    found = []
    for key in sorted(stock.keys() - pmo.keys()):
        found.append(f"{what} {_show(key)}: pm4py {stock[key]}, missing in pmo")
    for key in sorted(pmo.keys() - stock.keys()):
        found.append(f"{what} {_show(key)}: pmo {pmo[key]}, missing in pm4py")
    for key in sorted(stock.keys() & pmo.keys()):
        if stock[key] != pmo[key]:
            found.append(f"{what} {_show(key)}: pm4py {stock[key]}, pmo {pmo[key]}")
    if len(found) > SHOWN:
        found = [*found[:SHOWN], f"{what}: {len(found) - SHOWN} more differences"]
    return found


def _show(key: tuple) -> str:
    return " → ".join(str(part) for part in key)


def compare(stock: dict, pmo: dict) -> list[str]:
    """The differences between the results of the pm4py side and the pmo side; empty = the same.

    Variants and their counts, DFG edge counts, the number of events and cases must be equal;
    fitness may differ by 1e-6, mean and median case duration by 1e-6 relative."""
    found: list[str] = []
    for key in ("events", "cases"):
        if stock.get(key) != pmo.get(key):
            found.append(f"{key}: pm4py {stock.get(key)}, pmo {pmo.get(key)}")
    ours, theirs = stock.get("results") or {}, pmo.get("results") or {}
    missing = [
        f"results.{key} missing in {side}"
        for side, results in (("pm4py", ours), ("pmo", theirs))
        for key in ("variants", "dfg", "fitness", "mean_case_duration_s", "median_case_duration_s")
        if key not in results
    ]
    if missing:
        return found + missing
    found += _counts_differ(
        "variant", _counted(ours["variants"], 1), _counted(theirs["variants"], 1)
    )
    found += _counts_differ("dfg edge", _counted(ours["dfg"], 2), _counted(theirs["dfg"], 2))
    if not abs(float(ours["fitness"]) - float(theirs["fitness"])) <= FITNESS_TOLERANCE:
        found.append(f"fitness: pm4py {ours['fitness']}, pmo {theirs['fitness']}")
    for key in ("mean_case_duration_s", "median_case_duration_s"):
        a, b = float(ours[key]), float(theirs[key])
        if not math.isclose(a, b, rel_tol=DURATION_TOLERANCE, abs_tol=0.0):
            found.append(f"{key}: pm4py {a}, pmo {b}")
    return found
