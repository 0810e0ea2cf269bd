"""The benefit/effort matrix's label layout (app_pages/_matrix.py): readable without hovering."""

from __future__ import annotations

import itertools

from app_pages._matrix import HEIGHT, WIDTH, layout, overlaps, short_label


def test_a_crowded_portfolio_gets_labels_that_never_overlap_and_stay_in_the_plot() -> None:
    # Twenty-four candidates on three effort levels, many with almost the same benefit.
    rows = [
        (f"Schritt {n} Antragsdaten prüfen", 2 + n % 3, 0.55 + (n % 4) * 0.01) for n in range(24)
    ]
    points = layout(rows)
    assert [p.rank for p in points] == list(range(1, 25))
    for a, b in itertools.combinations(points, 2):
        assert not overlaps(a.box, b.box), (a.label, b.label)
    for p in points:
        assert 0 <= p.box[0] and p.box[2] <= WIDTH and 0 <= p.box[1] and p.box[3] <= HEIGHT


def test_dots_of_one_effort_and_benefit_are_spread_apart() -> None:
    points = layout([("A", 2, 0.5), ("B", 2, 0.5), ("C", 2, 0.5)])
    assert len({round(p.x, 3) for p in points}) == 3
    assert all(abs(p.x - 2) < 0.2 for p in points)


def test_a_long_step_name_is_cut_with_an_ellipsis_and_keeps_its_rank() -> None:
    label = short_label(7, "Antragsunterlagen auf Vollständigkeit prüfen und nachfordern")
    assert label.startswith("7 Antragsunterlagen") and label.endswith("…")
    assert len(label) <= 2 + 24
    assert short_label(1, "Bescheid") == "1 Bescheid"


def test_sixty_candidates_in_one_corner_keep_every_rank_readable() -> None:
    rows = [(f"Zahlungseingang {n} buchen", 2 + n % 2, 0.4 + (n % 7) * 0.01) for n in range(60)]
    points = layout(rows)
    for a, b in itertools.combinations(points, 2):
        assert not overlaps(a.box, b.box), (a.label, b.label)
    assert all(p.label.split(" ")[0] == str(p.rank) for p in points)
    assert points[0].label.startswith("1 Zahlungseingang")  # the best keep their names
