"""FIM activity-group types as priors: what a model's own classification of a step suggests.

A FIM Stammprozess types each activity group (Referenzaktivitätengruppe): information is received
or provided, a formal or a substantive check, a decision. That is knowledge about the step the log
cannot give — above all that a step decides the case, where § 35a VwVfG forbids a robot. It is a
prior, not a measurement: it adds a reason and can forbid automation, but never creates a
candidate or a figure on its own; the log's measurements still decide those.

The patterns per kind are the ``[fim_priors]`` lists of the assumptions file (office-editable).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from mining.digitization.assumptions import Assumptions
from mining.digitization.signals import ActivitySignals
from mining.texts import Text, bi

__all__ = [
    "ASSISTANCE_ONLY",
    "FimPrior",
    "classify_fim_type",
    "deciding",
    "fim_prior",
    "fim_reason",
    "online_reason",
    "priors",
    "used_key",
]


class FimPrior(StrEnum):
    INTAKE = "intake"
    OUTPUT = "output"
    FORMAL_CHECK = "formal_check"
    SUBSTANTIVE_CHECK = "substantive_check"
    DECISION = "decision"
    OTHER = "other"  # a type the patterns do not know: no prior


# The most cautious kind first: a type that names a decision is a decision even if it also names
# a transfer ("Entscheidung übermitteln"), so a pattern can never open a deciding step to a robot.
_ORDER = (
    FimPrior.DECISION,
    FimPrior.SUBSTANTIVE_CHECK,
    FimPrior.FORMAL_CHECK,
    FimPrior.OUTPUT,
    FimPrior.INTAKE,
)
# Kinds whose steps a robot may never do (§ 35a VwVfG): at most assistance for the staff.
ASSISTANCE_ONLY = frozenset({FimPrior.DECISION, FimPrior.SUBSTANTIVE_CHECK})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _normalized(text: str) -> str:
    """Lower case, umlauts spelled out, one space between words: "Übermitteln" ≙ "uebermitteln"."""
    return " ".join(text.casefold().translate(_UMLAUTS).split())


def classify_fim_type(type_name: str | None, patterns: Mapping[str, Sequence[str]]) -> FimPrior:
    """The kind of prior a FIM activity-group type names; :attr:`FimPrior.OTHER` when no pattern
    (a part of a word) matches — an unknown type is no error, it just says nothing."""
    name = _normalized(type_name or "")
    if not name:
        return FimPrior.OTHER
    if not any(c.isalpha() for c in name):
        # A bare code (the file named no type): only the office's code lists know its meaning.
        for kind in _ORDER:
            codes = {c.strip().lstrip("0") for c in patterns.get(f"{kind.value}_codes", ())}
            if name.lstrip("0") in codes:
                return kind
        return FimPrior.OTHER
    for kind in _ORDER:
        for pattern in patterns.get(kind.value, ()):
            wanted = _normalized(pattern)
            if wanted and wanted in name:
                return kind
    return FimPrior.OTHER


def fim_prior(step: ActivitySignals, assumptions: Assumptions) -> FimPrior | None:
    """The prior of ``step``'s FIM type, or None (no type, or a type without a prior)."""
    kind = classify_fim_type(step.fim_type, assumptions["fim_priors"])
    return None if kind is FimPrior.OTHER else kind


def deciding(step: ActivitySignals, assumptions: Assumptions) -> bool:
    """Whether ``step`` decides the case: by its name or model (``step.decides``), or because its
    FIM type says so — the model's word outweighs a name that sounds like routine."""
    return step.decides or fim_prior(step, assumptions) in ASSISTANCE_ONLY


_PRIOR_NOTE = bi(
    "Ein Hinweis aus dem FIM-Modell, keine Messung: Eignung und Zahlen folgen aus dem Protokoll.",
    "A hint from the FIM model, not a measurement: suitability and figures follow from the log.",
)

_RPA_TEXT: Mapping[FimPrior, Text] = {
    FimPrior.INTAKE: bi(
        "hier gehen Informationen ein — über eine Schnittstelle (Datenaustausch, z. B. "
        "FIT-Connect oder ein XÖV-Standard) oder einen Softwareroboter übernommen statt abgetippt.",
        "information comes in here — taken over through an interface (data exchange, e.g. "
        "FIT-Connect or an XÖV standard) or a software robot instead of being typed in.",
    ),
    FimPrior.OUTPUT: bi(
        "hier gehen Informationen hinaus — elektronisch übermitteln (Schnittstelle, Postfach) "
        "statt drucken und versenden; ein Softwareroboter oder eine Schnittstelle übernimmt das.",
        "information goes out here — transmit it electronically (interface, mailbox) instead of "
        "printing and posting; a software robot or an interface does that.",
    ),
    FimPrior.FORMAL_CHECK: bi(
        "eine formelle Prüfung (Vollständigkeit, Form, Fristen) folgt festen Regeln und "
        "entscheidet nicht in der Sache — regelbasiert automatisierbar.",
        "a formal check (completeness, form, deadlines) follows fixed rules and does not decide "
        "the matter — automatable by rules.",
    ),
}


def fim_reason(step: ActivitySignals, kind: FimPrior) -> Text:
    """The reason a step-level candidate gives for ``step``'s FIM type."""
    if kind in ASSISTANCE_ONLY:
        what = (
            bi("entscheidet über den Fall", "decides the case")
            if kind is FimPrior.DECISION
            else bi(
                "prüft den Fall in der Sache (die Grundlage der Entscheidung)",
                "examines the case on its merits (the basis of the decision)",
            )
        )
        return bi(
            f"FIM-Aktivitätengruppe „{step.fim_type}“: der Schritt {what}. Auch wenn das "
            "Protokoll einen regelhaften Ablauf zeigt, übernimmt ihn kein Softwareroboter: ein "
            "vollautomatisierter Verwaltungsakt nur, wo eine Rechtsvorschrift es zulässt "
            "(§ 35a VwVfG). Höchstens eine KI-Assistenz bereitet die Entscheidung vor (Unterlagen "
            "zusammenstellen, Entwurf vorschlagen); die Entscheidung treffen die Beschäftigten.",
            f"FIM activity group „{step.fim_type}“: the step {what.en}. Even where the log shows "
            "a rule-like course, no software robot takes it over: a fully automated "
            "administrative act only where a legal provision allows it (§ 35a VwVfG). At most an "
            "AI assistant prepares the decision (compiling documents, proposing a draft); the "
            "staff take the decision.",
        )
    return bi(
        f"FIM-Aktivitätengruppe „{step.fim_type}“: {_RPA_TEXT[kind]} {_PRIOR_NOTE}",
        f"FIM activity group „{step.fim_type}“: {_RPA_TEXT[kind].en} {_PRIOR_NOTE.en}",
    )


def online_reason(step: ActivitySignals, kind: FimPrior) -> Text:
    """The reason the online-service candidate gives for an intake or output group."""
    if kind is FimPrior.INTAKE:
        what = bi(
            "nimmt Informationen entgegen — ein Onlinedienst nimmt sie digital an, ohne Medienbruch",
            "receives information — an online service takes it in digitally, without a media break",
        )
    else:
        what = bi(
            "stellt Informationen bereit — ein Onlinedienst stellt sie digital zu "
            "(Postfach, Bescheid-Download) statt auf Papier",
            "provides information — an online service delivers it digitally "
            "(mailbox, notice download) instead of on paper",
        )
    return bi(
        f"FIM-Aktivitätengruppe „{step.fim_type}“: Schritt „{step.activity}“ {what}. {_PRIOR_NOTE}",
        f"FIM activity group „{step.fim_type}“: step „{step.activity}“ {what.en}. {_PRIOR_NOTE.en}",
    )


def priors(
    steps: Sequence[ActivitySignals], assumptions: Assumptions
) -> list[tuple[ActivitySignals, FimPrior]]:
    """``(step, kind)`` of every step with a prior, in the steps' order."""
    out = []
    for step in steps:
        kind = fim_prior(step, assumptions)
        if kind is not None:
            out.append((step, kind))
    return out


def used_key(kind: FimPrior) -> str:
    """The assumption (pattern list) behind a prior, for a candidate's assumptions used."""
    return f"fim_priors.{kind.value}"
