"""Which log activity is which model activity.

Specialist systems log their own names ("Antrag erfasst"), the registered BPMN model uses the
process manager's ("Antrag im Fachverfahren anlegen"). Only confirmed pairs are used for the
conformance check; everything else is a suggestion for a person to confirm, because a wrong
automatic pair would silently turn a deviation into a fit.

Order of precedence, per log activity:

1. ``manual`` (what a person confirmed, stored per process version by the registry);
2. exact equality with a model label or event name;
3. equality after :func:`normalize_activity` (case, whitespace, umlauts, punctuation) — only
   when exactly one target normalizes the same way;
4. otherwise similarity suggestions (≥ 0.6, best first), never a pair.

Event names (start, intermediate and end events) are targets too: systems often log the
arrival of an application ("Antrag eingegangen") that the model draws as a start event.

.. code-block:: python3

    mapping = map_activities(
        ["Antrag eingegangen", "antrag prüfen", "Prüfung des Antrags"],
        ["Antrag prüfen", "Bescheid erstellen"],
        event_names=["Antrag eingegangen"],
    )
    mapping.pairs        # {"Antrag eingegangen": "Antrag eingegangen", "antrag prüfen": "Antrag prüfen"}
    mapping.suggestions  # {"Prüfung des Antrags": (("Antrag prüfen", 0.676),)}
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mining.conformance.errors import ActivityMappingError
from mining.results import ActivityMappingRecord

__all__ = [
    "MIN_SUGGESTION_SCORE",
    "ActivityMapping",
    "PairKind",
    "map_activities",
    "normalize_activity",
    "similarity",
]

MIN_SUGGESTION_SCORE = 0.6
MAX_SUGGESTIONS = 3

PairKind = Literal["manual", "exact", "normalized"]

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_WORD = re.compile(r"[^0-9a-z]+")
# Function words carry no meaning for matching "Prüfung des Antrags" with "Antrag prüfen".
_STOP_WORDS = frozenset(
    "der die das des dem den ein eine einer eines und oder im in ins zur zum zu von vom am an "
    "auf aus bei mit nach fuer ueber the of a an to for and or".split()
)
_MIN_STEM = 4


def normalize_activity(name: str) -> str:
    """The comparison form of an activity name.

    Unicode NFC (so a decomposed "ü" equals a composed one), casefold (which also turns "ß" into
    "ss"), German umlauts as ae/oe/ue, other accents dropped, punctuation as spaces, whitespace
    collapsed: ``"  Antrag-Prüfung (Stufe 2)"`` → ``"antrag pruefung stufe 2"``.
    """
    text = unicodedata.normalize("NFC", name).casefold().translate(_UMLAUTS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", text).split())


def similarity(a: str, b: str) -> float:
    """How alike two activity names are, 0 … 1, on their normalized forms.

    The larger of difflib's ratio and the mean of that ratio and the token overlap. Token overlap
    (Dice coefficient over words without function words) lifts reordered or inflected names
    ("Prüfung des Antrags" ~ "Antrag prüfen"); two words match when equal or when they share a
    prefix of at least four letters and 60 % of the shorter word, a crude German stemmer.
    """
    na, nb = normalize_activity(a), normalize_activity(b)
    if not na or not nb:
        return 0.0
    ratio = difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio()
    overlap = _token_overlap(na.split(), nb.split())
    return round(max(ratio, (ratio + overlap) / 2), 3)


def _token_overlap(a: list[str], b: list[str]) -> float:
    ta = [t for t in a if t not in _STOP_WORDS] or a
    tb = [t for t in b if t not in _STOP_WORDS] or b
    unmatched = list(tb)
    matches = 0
    for token in ta:
        for candidate in unmatched:
            if _same_stem(token, candidate):
                unmatched.remove(candidate)
                matches += 1
                break
    return 2 * matches / (len(ta) + len(tb))


def _same_stem(a: str, b: str) -> bool:
    if a == b:
        return True
    shorter = min(len(a), len(b))
    if shorter < _MIN_STEM:
        return False
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= max(_MIN_STEM, 0.6 * shorter)


@dataclass(frozen=True)
class ActivityMapping:
    """Log activity → model label, as confirmed; the rest as suggestions and leftovers.

    ``pairs`` holds only confirmed pairs (manual, exact or normalized); ``kinds`` says which of
    the three each pair is. ``suggestions`` lists, for each unmapped log activity, up to three
    model labels or event names with a similarity ≥ 0.6, best first. ``unmapped_log`` are the log
    activities without a pair (the conformance check reports them as "unmodelled");
    ``unmapped_model`` the model labels no log activity maps to (event names are optional targets
    and never listed there).
    """

    pairs: dict[str, str]
    suggestions: dict[str, tuple[tuple[str, float], ...]]
    unmapped_log: tuple[str, ...]
    unmapped_model: tuple[str, ...]
    kinds: dict[str, PairKind] = field(default_factory=dict)

    def translate(self, activity: str) -> str:
        """The model label of a log activity, or the activity itself when it has none."""
        return self.pairs.get(activity, activity)

    def to_dict(self) -> ActivityMappingRecord:
        """A JSON-ready form; :meth:`from_dict` reads it back unchanged."""
        return {
            "pairs": dict(self.pairs),
            "kinds": dict(self.kinds),
            "suggestions": {
                activity: [[label, score] for label, score in options]
                for activity, options in self.suggestions.items()
            },
            "unmapped_log": list(self.unmapped_log),
            "unmapped_model": list(self.unmapped_model),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ActivityMapping:
        pairs = {str(k): str(v) for k, v in dict(data.get("pairs", {})).items()}
        kinds: dict[str, PairKind] = {}
        for activity, kind in dict(data.get("kinds", {})).items():
            if kind in ("manual", "exact", "normalized"):
                kinds[str(activity)] = kind
        return cls(
            pairs=pairs,
            suggestions={
                str(activity): tuple((str(label), float(score)) for label, score in options)
                for activity, options in dict(data.get("suggestions", {})).items()
            },
            unmapped_log=tuple(str(a) for a in data.get("unmapped_log", ())),
            unmapped_model=tuple(str(a) for a in data.get("unmapped_model", ())),
            kinds=kinds,
        )


def map_activities(
    log_activities: Iterable[str],
    model_labels: Iterable[str],
    *,
    manual: Mapping[str, str] | None = None,
    event_names: Collection[str] = (),
) -> ActivityMapping:
    """Pair the log's activities with the model's labels (see the module docstring for the order).

    ``model_labels`` are the visible activities of the model (``ConvertedModel.labels``),
    ``event_names`` the names of its events (``ConvertedModel.event_names``). A ``manual`` pair
    whose target is neither raises :class:`ActivityMappingError`: a stored mapping that no longer
    fits its model must be fixed, not silently dropped. Log activities keep their input order
    (duplicates removed).
    """
    activities = list(dict.fromkeys(log_activities))
    labels = list(dict.fromkeys(model_labels))
    targets = list(dict.fromkeys([*labels, *event_names]))
    target_set = set(targets)
    by_normal: dict[str, list[str]] = {}
    for target in targets:
        by_normal.setdefault(normalize_activity(target), []).append(target)

    pairs: dict[str, str] = {}
    kinds: dict[str, PairKind] = {}
    for activity, label in (manual or {}).items():
        if label not in target_set:
            raise ActivityMappingError(
                f"Manuelle Zuordnung „{activity}“ → „{label}“: das Modell hat keine Aktivität "
                "und kein Ereignis dieses Namens."
            )
        pairs[activity] = label
        kinds[activity] = "manual"

    suggestions: dict[str, tuple[tuple[str, float], ...]] = {}
    for activity in activities:
        if activity in pairs:
            continue
        if activity in target_set:
            pairs[activity] = activity
            kinds[activity] = "exact"
            continue
        same = by_normal.get(normalize_activity(activity), [])
        if len(same) == 1:
            pairs[activity] = same[0]
            kinds[activity] = "normalized"
            continue
        # Two targets that normalize alike ("Antrag prüfen", "Antrag pruefen") are a choice for
        # a person, so they stay suggestions.
        scored = sorted(
            ((target, similarity(activity, target)) for target in targets),
            key=lambda item: (-item[1], item[0]),
        )
        options = tuple(item for item in scored if item[1] >= MIN_SUGGESTION_SCORE)
        if options:
            suggestions[activity] = options[:MAX_SUGGESTIONS]

    mapped_to = set(pairs.values())
    return ActivityMapping(
        pairs={a: pairs[a] for a in [*activities, *pairs] if a in pairs},
        suggestions=suggestions,
        unmapped_log=tuple(a for a in activities if a not in pairs),
        unmapped_model=tuple(label for label in labels if label not in mapped_to),
        kinds={a: kinds[a] for a in pairs},
    )
