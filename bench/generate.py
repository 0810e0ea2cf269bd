"""A realistic Wohngeld (housing benefit) log of any size, for the benchmark.

The process: intake per channel (paper is scanned, e-mail attachments are filed, online applications
are taken over by the system in the same second), a rework loop (Unterlagen nachfordern →
Unterlagen eingegangen → Antrag prüfen again, sometimes withdrawn instead), two statements from other
authorities in either order (a parallel branch), exclusive choices (rent or owner subsidy, grant or
refusal, letter or citizen mailbox, objection), and two system steps logged in the same second.
40 clerks in 4 teams; every timestamp lies in working hours (Mon–Fri 08:00–15:59:59, no German
public holidays).

Millions of events without a loop per event: a small Python simulator draws a few thousand case
paths once, cases are sampled from those path templates with numpy, and timestamps are cumulative
sums of random waits on a working-time axis (8 h a day) that is mapped to calendar time at the end.

    python -m bench.generate --events 1000000 [--noise 0.1] [--seed 7] [--style de] -o FILE.csv
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

VERSION = 1  # part of the cache file names in bench.run: bump when the generated log changes
COLUMNS = ("case_id", "activity", "timestamp", "resource", "org_unit", "channel")
# Export styles. "en": the columns above, comma, ISO timestamps. "de": as a German specialist
# system exports (the held-out log of issue 18): semicolon, German headers that the importer's
# suggestions map, ``dd.mm.yyyy HH:MM:SS``, UTF-8 with BOM, only the clerks' steps (~8 a case).
STYLES = ("en", "de")
GERMAN_COLUMNS = (
    "Vorgangsnummer",
    "Tätigkeit",
    "Zeitpunkt",
    "Bearbeiter",
    "Organisationseinheit",
    "Eingangskanal",
)
GERMAN_TIMESTAMP = "%d.%m.%Y %H:%M:%S"
CHANNELS = ("Online", "Papier", "E-Mail")
CHANNEL_SHARES = (0.45, 0.40, 0.15)
INTAKE = ("Online-Antrag übernehmen", "Posteingang scannen", "E-Mail-Anhänge ablegen")
# Paper applications are incomplete more often; the online form checks mandatory fields.
REWORK_SHARES = (0.20, 0.40, 0.35)
ORG_UNITS = tuple(f"Wohngeldstelle Team {name}" for name in ("Nord", "Ost", "Süd", "West"))
TEAM_SHARES = (0.30, 0.25, 0.25, 0.20)
CLERKS_PER_TEAM = 10
RESOURCES = tuple(f"Sachbearbeitung {n:02d}" for n in range(1, 41))
CASE_CLERK_SHARE = 0.8  # the rest of a case's steps are done by a colleague of the same team

# Activity → mean wait before it in working hours and the spread of a log-normal around it;
# a mean of 0 means logged in the same second as the step before (a system step).
WAITS: dict[str, tuple[float, float]] = {
    "Antrag eingegangen": (0, 0),
    "Online-Antrag übernehmen": (0, 0),
    "Posteingang scannen": (6, 0.8),
    "E-Mail-Anhänge ablegen": (3, 0.8),
    "Vollständigkeit prüfen": (16, 0.9),
    "Rückfrage beim Antragsteller": (8, 1.0),
    "Antrag prüfen": (40, 0.8),
    "Unterlagen nachfordern": (2, 0.7),
    "Unterlagen eingegangen": (80, 0.6),
    "Antrag zurückgezogen": (60, 0.8),
    "Stellungnahme Meldebehörde einholen": (24, 0.9),
    "Stellungnahme Jobcenter einholen": (40, 0.9),
    "Mietbescheinigung prüfen": (8, 0.9),
    "Belastungsberechnung prüfen": (16, 0.9),
    "Wohngeld berechnen": (1, 0.5),
    "Bewilligungsbescheid erstellen": (16, 0.8),
    "Ablehnungsbescheid erstellen": (16, 0.8),
    "Bescheid im Vier-Augen-Prinzip prüfen": (24, 0.9),
    "Bescheid ins Bürgerpostfach stellen": (0.1, 0.5),
    "Bescheid per Post versenden": (8, 0.7),
    "Zahlung anweisen": (4, 0.6),
    "Fachverfahren aktualisieren": (0, 0),
    "Widerspruch eingegangen": (120, 0.7),
    "Widerspruch prüfen": (60, 0.8),
    "Vorgang abschließen": (8, 0.8),
}
ACTIVITIES = tuple(WAITS)
CODE = {name: code for code, name in enumerate(ACTIVITIES)}
SIMULATED_CASES = 20_000  # enough to cover the path variety; the log samples from these paths
WORK_DAY_S = 8 * 3600
DAY_START_S = 8 * 3600
FIRST_DAY = np.datetime64("2024-01-01")


def _simulate_case(rng: random.Random, *, short: bool = False) -> tuple[int, tuple[int, ...]]:
    """One case path. ``short``: the German-export style, whose specialist system logs only the
    clerks' steps (no receipt, completeness check, statements, calculation or system update): ~8 per case."""
    channel = rng.choices(range(len(CHANNELS)), weights=CHANNEL_SHARES)[0]
    trace = (
        [INTAKE[channel]]
        if short
        else ["Antrag eingegangen", INTAKE[channel], "Vollständigkeit prüfen"]
    )
    if rng.random() < 0.15:
        trace.append("Rückfrage beim Antragsteller")
    trace.append("Antrag prüfen")
    rework = REWORK_SHARES[channel]
    for _round in range(4):
        if rng.random() >= rework:
            break
        trace.append("Unterlagen nachfordern")
        if rng.random() < 0.1:
            trace += ["Antrag zurückgezogen", "Vorgang abschließen"]
            return channel, tuple(CODE[name] for name in trace)
        trace += ["Unterlagen eingegangen", "Antrag prüfen"]
        rework *= 0.6
    statements = ["Stellungnahme Meldebehörde einholen", "Stellungnahme Jobcenter einholen"]
    rng.shuffle(statements)  # both authorities are asked at once; either may answer first
    trace += [] if short else statements
    trace.append(
        "Mietbescheinigung prüfen" if rng.random() < 0.85 else "Belastungsberechnung prüfen"
    )
    if not short:
        trace.append("Wohngeld berechnen")
    granted = rng.random() < 0.74
    if granted:
        trace.append("Bewilligungsbescheid erstellen")
        if rng.random() < 0.3:
            trace.append("Bescheid im Vier-Augen-Prinzip prüfen")
    else:
        trace.append("Ablehnungsbescheid erstellen")
    online = CHANNELS[channel] == "Online"
    trace.append("Bescheid ins Bürgerpostfach stellen" if online else "Bescheid per Post versenden")
    if granted:
        trace += (
            ["Zahlung anweisen"] if short else ["Zahlung anweisen", "Fachverfahren aktualisieren"]
        )
    elif rng.random() < 0.18:
        trace += ["Widerspruch eingegangen", "Widerspruch prüfen"]
    trace.append("Vorgang abschließen")
    return channel, tuple(CODE[name] for name in trace)


def _templates(
    seed: int, *, short: bool = False
) -> tuple[list[tuple[int, tuple[int, ...]]], np.ndarray]:
    """The distinct case paths with their observed shares, in a fixed order."""
    rng = random.Random(seed)
    counts = Counter(_simulate_case(rng, short=short) for _ in range(SIMULATED_CASES))
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    weights = np.array([count for _, count in ordered], dtype=np.float64)
    return [path for path, _ in ordered], weights / weights.sum()


def _easter(year: int) -> np.datetime64:
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return np.datetime64(f"{year}-{month:02d}-{day + 1:02d}")


def german_holidays(years: range) -> np.ndarray:
    """The nationwide public holidays (state-specific ones differ and are left out)."""
    days = []
    for year in years:
        easter = _easter(year)
        days += [easter + offset for offset in (-2, 1, 39, 50)]
        fixed = ("01-01", "05-01", "10-03", "12-25", "12-26")
        days += [np.datetime64(f"{year}-{month_day}") for month_day in fixed]
    return np.array(sorted(days), dtype="datetime64[D]")


def working_days(count: int) -> np.ndarray:
    """The first ``count`` working days from 2024-01-01 as seconds since the epoch (midnight)."""
    span = count * 2 + 30
    dates = np.arange(FIRST_DAY, FIRST_DAY + span)
    holidays = german_holidays(range(2024, 2024 + span // 365 + 2))
    days = dates[np.is_busday(dates, holidays=holidays)][:count]
    return days.astype("datetime64[s]").astype(np.int64)


def _pick_positions(rng: np.random.Generator, sizes: np.ndarray) -> np.ndarray:
    return np.floor(rng.random(len(sizes)) * sizes).astype(np.int64)


def generate_log(
    path: Path, *, events: int, noise: float = 0.0, seed: int = 7, style: str = "en"
) -> dict:
    """Write a log of about ``events`` events (whole cases) to ``path`` as UTF-8 CSV in ``style``.

    With ``noise`` that share of the cases is corrupted: one event dropped, two neighbours swapped,
    or an activity from elsewhere in the process inserted. The clean part is the same for a seed
    whatever the noise. Returns ``{"cases", "events", "variants", "noisy_cases"}``."""
    if events < 1:
        raise ValueError("events must be at least 1")
    if not 0.0 <= noise <= 1.0:
        raise ValueError("noise must be between 0 and 1")
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}")
    templates, weights = _templates(seed, short=style == "de")
    rng = np.random.default_rng(seed)
    paths = [np.array(codes, dtype=np.int64) for _, codes in templates]
    path_len = np.array([len(codes) for codes in paths])
    path_start = np.concatenate([[0], np.cumsum(path_len)[:-1]])
    flat = np.concatenate(paths)
    # Draw a few cases too many, then cut at the last whole case within the requested events.
    drawn = rng.choice(
        len(paths), size=int(events / float(weights @ path_len) * 1.1) + 20, p=weights
    )
    ends = np.cumsum(path_len[drawn])
    n = max(1, int(np.searchsorted(ends, events, side="right")))
    tmpl, length, total = drawn[:n], path_len[drawn[:n]], int(ends[n - 1])
    first = ends[:n] - length
    case = np.repeat(np.arange(n), length)
    pos = np.arange(total) - first[case]
    act = flat[path_start[tmpl][case] + pos]

    team = rng.choice(len(ORG_UNITS), size=n, p=TEAM_SHARES)
    clerk = team * CLERKS_PER_TEAM + rng.integers(CLERKS_PER_TEAM, size=n)
    colleague = team[case] * CLERKS_PER_TEAM + rng.integers(CLERKS_PER_TEAM, size=total)
    res = np.where(rng.random(total) < CASE_CLERK_SHARE, clerk[case], colleague)

    mean_s = np.array([WAITS[a][0] * 3600 for a in ACTIVITIES])[act]
    sigma = np.array([WAITS[a][1] for a in ACTIVITIES])[act]
    wait = mean_s * np.exp(sigma * rng.standard_normal(total) - sigma**2 / 2)
    wait = np.where(mean_s > 0, np.maximum(np.rint(wait), 1), 0).astype(np.int64)
    wait[first] = 0
    # Cases arrive during 2024; the last ones finish in 2025.
    arrival_days = int(
        np.sum(working_days(366) < np.datetime64("2025-01-01", "s").astype(np.int64))
    )
    arrival = np.sort(rng.integers(0, arrival_days * WORK_DAY_S, size=n))
    elapsed = np.cumsum(wait)
    work = arrival[case] + elapsed - elapsed[first][case]  # seconds on the working-time axis
    order_in_case = 2 * pos + 1

    variants = len(set(tmpl.tolist()))
    noisy = 0
    if noise > 0:
        act, res, work, case, order_in_case, variants, noisy = _corrupt(
            np.random.default_rng([seed, 1]),
            noise,
            (act, res, work, case, order_in_case),
            (tmpl, first, length, clerk),
            templates,
        )
    span = int(work.max()) + 1
    order = np.lexsort((order_in_case, case, work))  # file in time order, like a system export
    case, act, res, work = case[order], act[order], res[order], work[order]
    seconds = working_days(span // WORK_DAY_S + 1)[work // WORK_DAY_S] + DAY_START_S
    seconds += work % WORK_DAY_S

    numbers = pc.cast(pa.array(np.arange(1, n + 1)), pa.string())
    case_ids = pc.binary_join_element_wise("WG-2024-", pc.utf8_lpad(numbers, 6, "0"), "")
    channel = np.array([path_channel for path_channel, _ in templates])[tmpl]
    table = pa.table(
        {
            "case_id": case_ids.take(pa.array(case)),
            "activity": pa.array(ACTIVITIES).take(pa.array(act)),
            "timestamp": pa.array(seconds.astype("datetime64[s]")),
            "resource": pa.array(RESOURCES).take(pa.array(res)),
            "org_unit": pa.array(ORG_UNITS).take(pa.array(team[case])),
            "channel": pa.array(CHANNELS).take(pa.array(channel[case])),
        }
    )
    _write_csv(table, Path(path), style)
    return {"cases": n, "events": len(act), "variants": variants, "noisy_cases": noisy}


def _write_csv(table: pa.Table, path: Path, style: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")  # no half-written log on error
    header, sep = ",".join(COLUMNS), ","
    if style == "de":
        header, sep = "\ufeff" + ";".join(GERMAN_COLUMNS), ";"
        stamps = pc.strftime(table.column("timestamp"), format=GERMAN_TIMESTAMP)
        table = table.set_column(2, "timestamp", stamps)
    try:
        with open(partial, "wb") as out:
            out.write((header + "\n").encode())  # pyarrow would quote the header
            options = pacsv.WriteOptions(include_header=False, quoting_style="none", delimiter=sep)
            pacsv.write_csv(table, out, options)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _corrupt(rng, noise, events, cases, templates):
    """Corrupt ``noise`` of the cases; no path has equal neighbours, so each corrupted case differs."""
    act, res, work, case, order_in_case = events
    tmpl, first, length, clerk = cases
    count = round(noise * len(tmpl))
    chosen = np.sort(rng.choice(len(tmpl), size=count, replace=False))
    kind = rng.integers(3, size=count)  # 0 drop, 1 swap with the next event, 2 insert
    where = np.zeros(count, dtype=np.int64)
    inserted = rng.integers(len(ACTIVITIES), size=count)
    drop, swap, insert = (chosen[kind == k] for k in range(3))

    where[kind == 0] = _pick_positions(rng, length[drop])
    keep = np.ones(len(act), dtype=bool)
    keep[first[drop] + where[kind == 0]] = False

    where[kind == 1] = _pick_positions(rng, length[swap] - 1)
    left = first[swap] + where[kind == 1]
    act[left], act[left + 1] = act[left + 1], act[left].copy()
    res[left], res[left + 1] = res[left + 1], res[left].copy()

    # The inserted step goes before position p, in the same second as the step there (or a
    # little after the last step); its order number sorts it in front of that step.
    p = _pick_positions(rng, length[insert] + 1)
    where[kind == 2] = p
    at_end = p == length[insert]
    after = work[first[insert] + np.minimum(p, length[insert] - 1)]
    new_work = np.where(at_end, after + rng.integers(60, 4 * 3600, size=len(p)), after)

    act = np.concatenate([act[keep], inserted[kind == 2]])
    res = np.concatenate([res[keep], clerk[insert]])
    work = np.concatenate([work[keep], new_work])
    case = np.concatenate([case[keep], insert])
    order_in_case = np.concatenate([order_in_case[keep], 2 * p])

    clean = np.ones(len(tmpl), dtype=bool)
    clean[chosen] = False
    traces = {templates[t][1] for t in set(tmpl[clean].tolist())}
    for c, k, w, extra in zip(
        chosen.tolist(), kind.tolist(), where.tolist(), inserted.tolist(), strict=True
    ):
        trace = list(templates[tmpl[c]][1])
        if k == 0:
            del trace[w]
        elif k == 1:
            trace[w], trace[w + 1] = trace[w + 1], trace[w]
        else:
            trace.insert(w, extra)
        traces.add(tuple(trace))
    return act, res, work, case, order_in_case, len(traces), count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--noise", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--style", choices=STYLES, default="en")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = generate_log(
        args.output, events=args.events, noise=args.noise, seed=args.seed, style=args.style
    )
    counts["seconds"] = round(time.perf_counter() - started, 2)
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
