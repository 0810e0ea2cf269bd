"""Column-name synonyms per mapping role, and the folding that makes them comparable (private).

Headers come from many specialist systems (XES exports, Excel sheets of a Bürgeramt, DMS
reports), in German and English, with umlauts written as ``ä``, ``ae`` or lost. Both headers and
synonyms are folded the same way, so the comparison is insensitive to case, umlaut spelling,
whitespace and punctuation.
"""

from __future__ import annotations

import re
import unicodedata

# Best first within each role: an earlier synonym wins a tie between two columns.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "case": (
        "case:concept:name",
        "case id",
        "case",
        "case number",
        "vorgangsnummer",
        "vorgangs-id",
        "vorgangs-nr",
        "vorgang-nr",
        "vorgang-id",
        "vorgangskennung",
        "fall-id",
        "fallnummer",
        "fall-nr",
        "fall",
        "aktenzeichen",
        "az",
        "antragsnummer",
        "antrags-id",
        "antrags-nr",
        "geschäftszeichen",
        "ticketnummer",
        "ticket id",
        # Last: in many systems "Vorgang" is the file itself, in others the step (see activity);
        # it becomes the case only where a better-named column already holds the activity.
        "vorgang",
    ),
    "activity": (
        "concept:name",
        "activity",
        "activity name",
        "event",
        "task",
        "aktivität",
        "tätigkeit",
        "vorgang",
        "bearbeitungsschritt",
        "arbeitsschritt",
        "prozessschritt",
        "schritt",
        "ereignis",
        "aktion",
    ),
    "timestamp": (
        "time:timestamp",
        "timestamp",
        "complete timestamp",
        "end timestamp",
        "end time",
        "end",
        "time",
        "datetime",
        "date",
        "zeitpunkt",
        "zeitstempel",
        "endzeitpunkt",
        "endzeit",
        "enddatum",
        "ende",
        "abschluss",
        "abschlusszeitpunkt",
        "abschlussdatum",
        "erledigt am",
        "datum",
        "uhrzeit",
    ),
    "start_timestamp": (
        "start_timestamp",
        "start timestamp",
        "start time",
        "start",
        "begin",
        "beginn",
        "startzeitpunkt",
        "startzeit",
        "startdatum",
        "beginndatum",
        "begonnen am",
    ),
    "resource": (
        "org:resource",
        "resource",
        "user",
        "user id",
        "employee",
        "bearbeiter",
        "bearbeiterin",
        "bearbeiter/in",
        "sachbearbeiter",
        "sachbearbeiterin",
        "sachbearbeiter/in",
        "mitarbeiter",
        "mitarbeiterin",
        "mitarbeiter/in",
        "mitarbeitende",
        "bearbeitende",
        "sachbearbeitende",
        "benutzer",
        "benutzername",
        "nutzer",
    ),
    "org_unit": (
        "org:group",
        "org:role",
        "organisationseinheit",
        "org unit",
        "oe",
        "department",
        "fachdienst",
        "fachbereich",
        "abteilung",
        "amt",
        "referat",
        "sachgebiet",
        "team",
        "dienststelle",
        "stelle",
        "group",
        "role",
        "rolle",
    ),
}

# Headers of an intake-channel column (Papier, E-Mail, Online …): not a mapping role but an
# attribute kept by default (see mining.ingest.channels). One list for import and analysis.
CHANNEL_SYNONYMS: tuple[str, ...] = (
    "eingangskanal",
    "kanal",
    "channel",
    "intake channel",
    "submission channel",
    "eingangsweg",
    "eingangsart",
    "eingangsform",
    "art des eingangs",
    "posteingang",
    "antragsweg",
    "antragskanal",
    "übermittlungsweg",
    "übermittlungsart",
    "einreichungsweg",
    "zugangsweg",
)

# German compounds put the head last ("Bearbeitungsdatum", "Prozessschritt"), so a header word
# ending in a synonym is a weaker match. Start words also qualify as a prefix ("Startzeitpunkt").
# Short synonyms ("ende", "amt") would match too much inside other words ("Sachbearbeitende").
MIN_COMPOUND = 5
PREFIX_ROLES = frozenset({"start_timestamp"})


def tokens(header: str) -> tuple[str, ...]:
    """Folded word tokens: ``"Sachbearbeiter/in"`` → ``("sachbearbeiter", "in")``."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", header)  # camelCase → two words
    folded = unicodedata.normalize("NFKD", spaced.casefold())
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    # "ä", "ae" and a lost umlaut "a" become the same letter; applied to both sides.
    for digraph, vowel in (("ae", "a"), ("oe", "o"), ("ue", "u")):
        folded = folded.replace(digraph, vowel)
    return tuple(re.findall(r"[a-z0-9]+", folded))


def fold(header: str) -> str:
    return "".join(tokens(header))


def match_tier(role: str, header_tokens: tuple[str, ...], synonym: str) -> int | None:
    """0 exact, 1 whole words inside the header, 2 compound word; None: no match."""
    syn_tokens = tokens(synonym)
    if not syn_tokens or not header_tokens:
        return None
    if "".join(header_tokens) == "".join(syn_tokens):
        return 0
    width = len(syn_tokens)
    for start in range(len(header_tokens) - width + 1):
        if header_tokens[start : start + width] == syn_tokens:
            return 1
    key = "".join(syn_tokens)
    if len(key) >= MIN_COMPOUND:
        for word in header_tokens:
            if word.endswith(key) or (role in PREFIX_ROLES and word.startswith(key)):
                return 2
    return None
