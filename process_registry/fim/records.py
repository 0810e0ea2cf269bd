"""What an XProzess 2 file says about a FIM Stammprozess, as plain typed records.

The records round-trip through JSON (:meth:`Stammprozess.to_dict` / :meth:`Stammprozess.from_dict`),
which is how the registry keeps them with the model version they came with.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .codes import FIM_STATUS, LAND_NAMES, land_of

__all__ = ["ActivityGroup", "LegalBasis", "Stammprozess"]


@dataclass(frozen=True)
class LegalBasis:
    """A ``handlungsgrundlage``: "§ 27 MuSchG", its kind (code list ``art``) and a link."""

    name: str
    kind_code: str | None = None
    kind_name: str | None = None
    uri: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LegalBasis:
        return cls(**{f.name: data.get(f.name) for f in fields(cls)})


@dataclass(frozen=True)
class ActivityGroup:
    """An ``aktivitaetengruppe``: drawn as the BPMN sub-process ``sub_process_id``.

    ``extra`` keeps the type-specific child elements the importer does not interpret, as XML text,
    so an export writes them back unchanged; ``attributes`` is their readable form (leaf path →
    text) for the side panel.
    """

    sub_process_id: str
    name: str | None
    type_code: str | None
    type_name: str | None
    legal_bases: tuple[LegalBasis, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()
    extra: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ActivityGroup:
        return cls(
            sub_process_id=data["sub_process_id"],
            name=data.get("name"),
            type_code=data.get("type_code"),
            type_name=data.get("type_name"),
            legal_bases=tuple(LegalBasis.from_dict(b) for b in data.get("legal_bases") or ()),
            attributes=tuple((str(k), str(v)) for k, v in data.get("attributes") or ()),
            extra=tuple(data.get("extra") or ()),
        )


@dataclass(frozen=True)
class Stammprozess:
    """Catalogue class and process of one FIM Stammprozess (or a Referenzprozess derived from it).

    ``leika`` is the 14-digit Leistungsschlüssel, the ``id`` of both the catalogue class and the
    process. ``dates`` maps the path of each date under ``zustandsangaben`` (e.g.
    ``gueltigkeit/beginn``, ``fachlicheFreigabe/datum``) to its ISO text, so none is lost whatever
    the exporting tool calls it. ``coding`` lists the ``verwaltungspolitischeKodierung`` entries as
    (kind, code); ``lands`` the two-digit Land codes they name.
    """

    leika: str
    name: str
    version: str | None = None
    designation: str | None = None
    definition: str | None = None
    legal_bases: tuple[LegalBasis, ...] = ()
    releasing_authority: str | None = None
    features: tuple[tuple[str, str], ...] = ()
    classification: tuple[tuple[str, str, str | None], ...] = ()
    keywords: tuple[str, ...] = ()
    status_code: str | None = None
    dates: dict[str, str] = field(default_factory=dict)
    trigger: str | None = None
    result: str | None = None
    participants: tuple[str, ...] = ()
    detail_level_code: str | None = None
    detail_level_name: str | None = None
    coding: tuple[tuple[str, str], ...] = ()
    activity_groups: tuple[ActivityGroup, ...] = ()
    bpmn_file_name: str | None = None

    @property
    def lands(self) -> tuple[str, ...]:
        found = [land_of(kind, code) for kind, code in self.coding]
        return tuple(dict.fromkeys(land for land in found if land))

    @property
    def status_name(self) -> str | None:
        if self.status_code is None:
            return None
        return FIM_STATUS.get(self.status_code.lstrip("0") or "0", self.status_code)

    @property
    def valid_from(self) -> str | None:
        return _date_matching(self.dates, "gueltig", ("beginn", "ab", "von", "start"))

    @property
    def valid_until(self) -> str | None:
        return _date_matching(self.dates, "gueltig", ("ende", "bis"))

    @property
    def release_dates(self) -> dict[str, str]:
        return {path: day for path, day in self.dates.items() if "freigabe" in path.casefold()}

    def group(self, sub_process_id: str) -> ActivityGroup | None:
        return next((g for g in self.activity_groups if g.sub_process_id == sub_process_id), None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["activity_groups"] = [g.to_dict() for g in self.activity_groups]
        return data

    def describe(self) -> dict[str, Any]:
        """:meth:`to_dict` with what it implies (status name, Länder, validity, releases)."""
        return {
            **self.to_dict(),
            "status_name": self.status_name,
            "lands": [{"code": c, "name": LAND_NAMES.get(c)} for c in self.lands],
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "release_dates": self.release_dates,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Stammprozess:
        return cls(
            leika=data["leika"],
            name=data["name"],
            version=data.get("version"),
            designation=data.get("designation"),
            definition=data.get("definition"),
            legal_bases=tuple(LegalBasis.from_dict(b) for b in data.get("legal_bases") or ()),
            releasing_authority=data.get("releasing_authority"),
            features=tuple((str(k), str(v)) for k, v in data.get("features") or ()),
            classification=tuple(
                (str(level), str(code), name)
                for level, code, name in data.get("classification") or ()
            ),
            keywords=tuple(data.get("keywords") or ()),
            status_code=data.get("status_code"),
            dates=dict(data.get("dates") or {}),
            trigger=data.get("trigger"),
            result=data.get("result"),
            participants=tuple(data.get("participants") or ()),
            detail_level_code=data.get("detail_level_code"),
            detail_level_name=data.get("detail_level_name"),
            coding=tuple((str(k), str(c)) for k, c in data.get("coding") or ()),
            activity_groups=tuple(
                ActivityGroup.from_dict(g) for g in data.get("activity_groups") or ()
            ),
            bpmn_file_name=data.get("bpmn_file_name"),
        )


def _date_matching(dates: dict[str, str], stem: str, ends: tuple[str, ...]) -> str | None:
    for path, day in dates.items():
        parts = path.casefold().split("/")
        if any(stem in part for part in parts) and parts[-1].startswith(ends):
            return day
    return None
