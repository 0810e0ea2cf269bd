"""Rules of the city's modelling conventions (FIM labels, lanes as departments, catalogue data).

All report warnings: they are conventions a model can be registered without, and a process
manager decides when to fix them. An unresolved call activity is a warning too, because the
called process is often registered after the one that calls it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ._index import LintIndex, Report

_PARENTHESES = re.compile(r"\([^)]*\)")
_EDGE_PUNCTUATION = ".,;:!?\"'„“”»«"
_CONJUNCTIONS = frozenset({"und", "oder", "sowie", "bzw.", "&", "/", "+"})
# Infinitives end in -en (prüfen), -ern (ändern), -eln (sammeln); `tun` and `sein` are the
# common exceptions. German nouns are capitalised, so a capitalised last word is never counted.
_INFINITIVE = re.compile(r"[a-zäöüß][a-zäöüß-]*(?:en|rn|ln)")
_SHORT_INFINITIVES = frozenset({"tun", "sein"})


def _is_infinitive(word: str) -> bool:
    return word in _SHORT_INFINITIVES or _INFINITIVE.fullmatch(word) is not None


def fim_label_problem(label: str) -> str | None:
    """Why ``label`` is not of FIM form "Objekt + Verrichtung" (None when it is).

    A heuristic, not a grammar: at least two words, the last one a verb in the infinitive, and
    not two activities joined by "und"/"oder" ("Bescheid erstellen und versenden" are two tasks
    in FIM). "Antrag und Unterlagen prüfen" is fine: several objects, one activity.
    """
    words = [w.strip(_EDGE_PUNCTUATION) for w in _PARENTHESES.sub(" ", label).split()]
    words = [w for w in words if w]
    if len(words) < 2:
        return "sie besteht nur aus einem Wort"
    if not _is_infinitive(words[-1]):
        return f"das letzte Wort „{words[-1]}“ ist kein Verb im Infinitiv"
    for before, word in zip(words, words[1:], strict=False):
        if word.lower() in _CONJUNCTIONS and _is_infinitive(before):
            return "sie verbindet mehrere Verrichtungen; eine Aufgabe beschreibt genau eine"
    return None


def fim_task_label(ix: LintIndex) -> Iterator[Report]:
    for node in ix.doc.tasks:
        if node.name is None:
            continue  # label-required reports unnamed tasks
        problem = fim_label_problem(node.name)
        if problem is not None:
            yield Report(
                node.id,
                f"Die Aufgabe „{node.name}“ ist nicht nach FIM als „Objekt + Verrichtung“ "
                f"benannt (z. B. „Antrag prüfen“): {problem}.",
            )


_GENERIC_LANE = re.compile(
    r"(?:lane|bahn|schwimmbahn|swimlane|pool|teilnehmer|participant|rolle|role|"
    r"neue lane|new lane)?[\s_-]*\d*",
    re.IGNORECASE,
)


def _normalize(name: str) -> str:
    return " ".join(name.split()).casefold()


def lane_department(ix: LintIndex, departments: frozenset[str] | None) -> Iterator[Report]:
    known = None if departments is None else {_normalize(d) for d in departments}
    for lane in ix.doc.lanes:
        if lane.name is None:
            yield Report(
                lane.id, "Die Lane hat keinen Namen; sie soll die zuständige Stelle nennen."
            )
        elif _GENERIC_LANE.fullmatch(lane.name):
            yield Report(
                lane.id,
                f"Die Lane „{lane.name}“ trägt einen Platzhalternamen; sie soll die zuständige "
                "Stelle nennen.",
            )
        elif known is not None and _normalize(lane.name) not in known:
            yield Report(
                lane.id,
                f"Die Lane „{lane.name}“ nennt keine bekannte Organisationseinheit.",
            )


LEIKA_NONE = "keine"
_LEIKA_KEY = re.compile(r"\d{14}")


def leika_key(ix: LintIndex, key: str | None) -> Iterator[Report]:
    element = ix.doc.id or "definitions"
    if key is None or not key.strip():
        yield Report(
            element,
            "Dem registrierten Prozess fehlt der LeiKa-Leistungsschlüssel (14 Ziffern) oder die "
            f"ausdrückliche Angabe „{LEIKA_NONE}“.",
        )
    elif key.strip() != LEIKA_NONE and not _LEIKA_KEY.fullmatch("".join(key.split())):
        yield Report(
            element,
            f"Der LeiKa-Leistungsschlüssel „{key}“ ist ungültig: erwartet werden 14 Ziffern oder "
            f"„{LEIKA_NONE}“.",
        )


def call_activity_resolves(ix: LintIndex, resolve: Callable[[str], bool]) -> Iterator[Report]:
    local = {p.id for p in ix.doc.processes} | ix.doc.global_task_ids
    for node in ix.doc.call_activities:
        target = node.called_element
        if target is None:
            yield Report(
                node.id, "Die Aufrufaktivität nennt kein aufgerufenes Element (calledElement)."
            )
            continue
        # calledElement is a QName in BPMN; engines use it as a plain key. Try both spellings.
        bare = target.rsplit(":", 1)[-1]
        if target in local or bare in local or resolve(target):
            continue
        if bare != target and resolve(bare):
            continue
        yield Report(
            node.id,
            f"Das aufgerufene Element „{target}“ ist weder in dieser Datei noch im "
            "Prozessregister zu finden.",
        )
