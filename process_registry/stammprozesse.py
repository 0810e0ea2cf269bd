"""FIM Stammprozesse in the registry: import from and export to XProzess 2, and what each task's
activity group says (local processes derived from them: :mod:`.local_processes`).

A Stammprozess is a registry entry like any other, marked by ``fim_id`` (its LeiKa key); each
of its versions keeps what the XProzess file said (``model_version.fim``). A local process is
derived from one, keeps the link (``derived_from``) and the Stammprozess version it is aligned
with (``derived_version``); a newer Stammprozess version flags it for review until a process
manager has compared and confirmed it. The functions here are the bodies of the
:class:`~process_registry.registry.Registry` methods of the same purpose.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import release
from .audit import record_audit
from .bpmn import BpmnDocument, parse_bpmn
from .catalogue import LEIKA_NONE
from .catalogue_fields import clean_catalogue, slugify, valid_key
from .errors import ProcessExistsError, ValidationError
from .fim import (
    ActivityGroup,
    LegalBasis,
    Stammprozess,
    read_xprozess,
    registry_status,
    status_code_for,
    write_xprozess,
)
from .models import ModelVersion, Process

if TYPE_CHECKING:
    from .registry import Registry

__all__ = [
    "FimImport",
    "TaskGroup",
    "export_xprozess",
    "fim_record",
    "import_fim",
    "task_groups",
]


@dataclass(frozen=True)
class FimImport:
    """The answer of an XProzess import: where it landed and what it brought."""

    key: str
    version: int
    leika: str
    status: str | None
    activity_groups: int
    fim_version: str | None
    created: bool
    # The same model and data as the current version: nothing was stored.
    unchanged: bool
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {"warnings": list(self.warnings)}


@dataclass(frozen=True)
class TaskGroup:
    """A task of a model version that is a FIM activity group, with what the group says."""

    element_id: str
    task_name: str | None
    group: ActivityGroup

    def to_dict(self) -> dict[str, Any]:
        return {"element_id": self.element_id, "task_name": self.task_name, **self.group.to_dict()}


# -- import --------------------------------------------------------------------------------------


def import_fim(
    registry: Registry,
    data: bytes,
    *,
    source: str,
    author: str,
    key: str | None = None,
    department: str | None = None,
) -> FimImport:
    """Register the Stammprozess in an XProzess file, or add it as a new version of its entry."""
    file = read_xprozess(data, source=source)
    stamm = file.stamm
    document = parse_bpmn(file.bpmn, source=f"{source}: eingebettetes BPMN-Modell")
    warnings = _group_warnings(stamm, document)
    values = clean_catalogue(_catalogue_values(stamm))
    if department is not None:
        values.update(clean_catalogue({"department": department}))
    wanted_key = valid_key(key.strip()) if key else None
    sha = hashlib.sha256(file.bpmn).hexdigest()
    record = stamm.to_dict()
    status = stamm.status_name

    def unit(session: Session) -> FimImport:
        process = _target(session, stamm.leika, wanted_key)
        if process is None:
            new_key = wanted_key or valid_key(slugify(stamm.name))
            if session.scalar(select(Process.id).where(Process.key == new_key)) is not None:
                raise ProcessExistsError(
                    f"Ein Prozess mit dem Schlüssel „{new_key}“ existiert bereits und ist nicht "
                    f"der Stammprozess {stamm.leika}; bitte beim Import einen anderen Schlüssel angeben "
                    "(Feld „Schlüssel“ bzw. --key)."
                )
            values.setdefault("department", _DEFAULT_DEPARTMENT)
            process = Process(key=new_key, fim_id=stamm.leika, **values)
            session.add(process)
            session.flush()
            registry._append_version(
                session,
                process,
                1,
                file.bpmn,
                document,
                _file_name(stamm, source),
                author,
                f"Import aus XProzess ({source})",
                fim=record,
            )
            _audit_import(session, author, "fim.import", new_key, stamm, 1)
            return FimImport(
                new_key,
                1,
                stamm.leika,
                status,
                len(stamm.activity_groups),
                stamm.version,
                True,
                False,
                warnings + _release_warnings(session, process, document),
            )
        _check_same_stammprozess(process, stamm)
        head = head_version(session, process)
        if head is not None and head.sha256 == sha and _same_record(head.fim, stamm):
            return FimImport(
                process.key,
                head.number,
                stamm.leika,
                status,
                len(stamm.activity_groups),
                stamm.version,
                False,
                True,
                warnings,
            )
        _refuse_downgrade(process, head, stamm)
        number = (head.number if head is not None else 0) + 1
        tags = sorted(set(process.tags or ()) | set(values.pop("tags", [])))
        for name, value in {**values, "tags": tags}.items():
            if name == "department" and department is None:
                continue
            if getattr(process, name) != value:
                setattr(process, name, value)
        process.fim_id = stamm.leika
        process.updated_by = author
        registry._append_version(
            session,
            process,
            number,
            file.bpmn,
            document,
            _file_name(stamm, source),
            author,
            f"Import aus XProzess ({source}), FIM-Version {stamm.version or '–'}",
            fim=record,
        )
        _audit_import(session, author, "fim.import", process.key, stamm, number)
        return FimImport(
            process.key,
            number,
            stamm.leika,
            status,
            len(stamm.activity_groups),
            stamm.version,
            False,
            False,
            warnings + _release_warnings(session, process, document),
        )

    return registry._write(unit, wanted_key or stamm.leika)


_DEFAULT_DEPARTMENT = "FIM-Stammprozesse"


def _target(session: Session, leika: str, key: str | None) -> Process | None:
    query = select(Process).where(Process.deleted_at.is_(None)).with_for_update()
    if key is not None:
        return session.scalar(query.where(Process.key == key))
    return session.scalar(query.where(Process.fim_id == leika).order_by(Process.id))


def _check_same_stammprozess(process: Process, stamm: Stammprozess) -> None:
    if process.derived_from:
        raise ValidationError(
            f"„{process.key}“ ist ein vom Stammprozess „{process.derived_from}“ abgeleiteter "
            "lokaler Prozess; ein XProzess-Import gehört in den Stammprozess selbst."
        )
    held = process.fim_id or (process.leika_key if process.leika_key != LEIKA_NONE else None)
    if held and held != stamm.leika:
        raise ValidationError(
            f"„{process.key}“ gehört zum Leistungsschlüssel {held}, die Datei zum "
            f"Stammprozess {stamm.leika}; nichts wurde gespeichert."
        )


def _same_record(stored: dict[str, Any] | None, stamm: Stammprozess) -> bool:
    # Compared as records: JSON gave the stored one lists where the fresh one has tuples.
    return stored is not None and Stammprozess.from_dict(stored) == stamm


def _refuse_downgrade(process: Process, head: ModelVersion | None, stamm: Stammprozess) -> None:
    stored = (head.fim or {}).get("version") if head is not None else None
    if stored and stamm.version and _version_key(stamm.version) < _version_key(stored):
        raise ValidationError(
            f"Die Datei enthält Version {stamm.version} des Stammprozesses {stamm.leika}; im "
            f"Register ist „{process.key}“ schon auf Version {stored}. Eine ältere Version wird "
            "nicht über eine neuere gelegt; nichts wurde gespeichert."
        )


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"[.\-_ ]+", version))


def _group_warnings(stamm: Stammprozess, document: BpmnDocument) -> tuple[str, ...]:
    ids = {node.id: node for node in document.nodes}
    warnings = []
    for group in stamm.activity_groups:
        node = ids.get(group.sub_process_id)
        if node is None:
            warnings.append(
                f"Aktivitätengruppe „{group.name or group.sub_process_id}“: Das Modell hat kein "
                f"Element mit der id „{group.sub_process_id}“ (subProzessID)."
            )
        elif not node.is_activity:
            warnings.append(
                f"Aktivitätengruppe „{group.name or group.sub_process_id}“: „{group.sub_process_id}“ "
                f"ist im Modell kein Teilprozess, sondern {node.type}."
            )
    return tuple(warnings)


def _catalogue_values(stamm: Stammprozess) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": stamm.name,
        "leika_key": stamm.leika,
        "legal_basis": "; ".join(b.name for b in stamm.legal_bases) or None,
        "description": stamm.definition,
        "tags": list(stamm.keywords),
    }
    status = registry_status(stamm.status_code)
    if status is not None:
        values["status"] = status
    for field in ("valid_from", "valid_until"):
        day = getattr(stamm, field)
        if day:
            values[field] = day[:10]
    return values


def _release_warnings(
    session: Session, process: Process, document: BpmnDocument
) -> tuple[str, ...]:
    # A Stammprozess's status is the federal editors' decision, so the import keeps it even when
    # the embedded model has lint errors (unlike set_status); the user sees them as warnings.
    if process.status != release.RELEASED:
        return ()
    session.flush()
    findings = release.document_errors(session, document, process.leika_key)
    return tuple(
        f"Status „{release.RELEASED}“ laut FIM-Datei trotz Lint-Fehler: {line}"
        for line in release.finding_lines(findings)
    )


def _file_name(stamm: Stammprozess, source: str) -> str:
    return stamm.bpmn_file_name or source


def _audit_import(
    session: Session,
    actor: str,
    action: str,
    key: str,
    stamm: Stammprozess,
    number: int,
) -> None:
    record_audit(
        session,
        actor,
        action,
        key,
        version=number,
        leika=stamm.leika,
        fim_version=stamm.version,
        activity_groups=len(stamm.activity_groups),
    )


def head_version(session: Session, process: Process) -> ModelVersion | None:
    return session.scalar(
        select(ModelVersion)
        .where(ModelVersion.process_id == process.id)
        .order_by(ModelVersion.number.desc())
        .limit(1)
    )


# -- export --------------------------------------------------------------------------------------


def export_xprozess(
    registry: Registry, key: str, number: int | None, *, created: dt.datetime, product: str
) -> bytes:
    """Version ``number`` (default: the head) of ``key`` as an XProzess 2 file.

    The catalogue data are the registry's; what XProzess holds beyond them (classification,
    activity groups, Land coding, dates) comes from the import the version descends from."""
    record = registry.get_process(key)
    leika = record.leika_key or ""
    if not leika.isdigit():
        raise ValidationError(
            f"„{key}“ hat keinen LeiKa-Leistungsschlüssel; XProzess kennt einen Prozess nur unter "
            "seinem Schlüssel. Bitte zuerst `pmo registry edit KEY --leika …` setzen."
        )
    with registry.db.read() as session:
        process = registry._process(session, key)
        number = number if number is not None else registry._head_number(session, process)
        content = registry._version(session, process, number).content
        base = _fim_of(session, process, number)
    document = parse_bpmn(content, source=f"{key} v{number}")
    stamm = base or Stammprozess(leika=leika, name=record.name)
    stamm = _with_catalogue(stamm, record, document)
    return write_xprozess(stamm, content, created=created, product_version=product)


def _with_catalogue(stamm: Stammprozess, record: Any, document: BpmnDocument) -> Stammprozess:
    names = "; ".join(b.name for b in stamm.legal_bases) or None
    legal = stamm.legal_bases
    if (record.legal_basis or None) != names:
        known = {b.name: b for b in stamm.legal_bases}
        parts = [p.strip() for p in (record.legal_basis or "").split(";") if p.strip()]
        legal = tuple(known.get(p, LegalBasis(name=p)) for p in parts)
    keywords = stamm.keywords
    if set(record.tags) != set(keywords):
        keywords = tuple(record.tags)
    dates = dict(stamm.dates)
    for field, default_path in (
        ("valid_from", "gueltigkeit/beginn"),
        ("valid_until", "gueltigkeit/ende"),
    ):
        day = getattr(record, field)
        if day is None or (getattr(stamm, field) or "")[:10] == day.isoformat():
            continue
        path = next((p for p, d in dates.items() if d == getattr(stamm, field)), default_path)
        dates[path] = day.isoformat()
    nodes = {node.id: node for node in document.nodes}
    groups = tuple(
        g
        for g in stamm.activity_groups
        if g.sub_process_id in nodes and nodes[g.sub_process_id].is_activity
    )
    return dataclasses.replace(
        stamm,
        leika=record.leika_key,
        name=record.name,
        definition=record.description,
        legal_bases=legal,
        keywords=keywords,
        status_code=status_code_for(record.status, stamm.status_code),
        dates=dates,
        activity_groups=groups,
    )


def _fim_of(session: Session, process: Process, number: int) -> Stammprozess | None:
    """What the newest XProzess import up to version ``number`` said; for a local process
    without one of its own, what its Stammprozess's current version says."""
    data = session.scalar(
        select(ModelVersion.fim)
        .where(
            ModelVersion.process_id == process.id,
            ModelVersion.number <= number,
            ModelVersion.fim.is_not(None),
        )
        .order_by(ModelVersion.number.desc())
        .limit(1)
    )
    if not data and process.derived_from:
        stamm = session.scalar(select(Process).where(Process.key == process.derived_from))
        if stamm is not None:
            head = head_version(session, stamm)
            data = head.fim if head is not None else None
    return Stammprozess.from_dict(data) if data else None


# -- activity groups -----------------------------------------------------------------------------


def task_groups(
    registry: Registry,
    key: str,
    number: int | None = None,
    document: BpmnDocument | None = None,
) -> tuple[TaskGroup, ...]:
    """The tasks of version ``number`` (default: the head) that are FIM activity groups: matched
    by element id, so a relabelled task keeps its group and a removed one loses it. A caller that
    has parsed that version passes it as ``document``, so it is not read and parsed again."""
    with registry.db.read() as session:
        process = registry._process(session, key)
        number = number if number is not None else registry._head_number(session, process)
        stamm = _fim_of(session, process, number)
        needs_model = stamm is not None and stamm.activity_groups and document is None
        content = registry._version(session, process, number).content if needs_model else b""
    if stamm is None or not stamm.activity_groups:
        return ()
    document = document or parse_bpmn(content, source=f"{key} v{number}")
    nodes = {node.id: node for node in document.nodes}
    return tuple(
        TaskGroup(g.sub_process_id, nodes[g.sub_process_id].name, g)
        for g in stamm.activity_groups
        if g.sub_process_id in nodes and nodes[g.sub_process_id].is_activity
    )


def fim_record(registry: Registry, key: str, number: int | None = None) -> Stammprozess | None:
    """What the XProzess import behind version ``number`` of ``key`` said, if there was one."""
    with registry.db.read() as session:
        process = registry._process(session, key)
        number = number if number is not None else registry._head_number(session, process)
        return _fim_of(session, process, number)
