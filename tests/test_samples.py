"""The sample registry that `make run` and `pmo demo` load must be clean, complete and linked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from process_registry import Registry, ValidationError, load_catalogue_folder
from tests.conftest import SAMPLE_MODELS

CATALOGUE = json.loads((SAMPLE_MODELS / "catalogue.json").read_text(encoding="utf-8"))


def test_catalogue_lists_every_shipped_model_once() -> None:
    files = sorted(p.name for p in SAMPLE_MODELS.glob("*.bpmn"))
    assert sorted(entry["file"] for entry in CATALOGUE) == files
    assert len({entry["key"] for entry in CATALOGUE}) == len(CATALOGUE)
    assert 6 <= len(CATALOGUE) <= 9


def test_demo_loads_all_samples_once(registry: Registry) -> None:
    added = load_catalogue_folder(registry, SAMPLE_MODELS, author="demo")
    assert {ref.key for ref in added} == {entry["key"] for entry in CATALOGUE}
    assert load_catalogue_folder(registry, SAMPLE_MODELS, author="demo") == []
    assert all(p.versions == 1 for p in registry.list_processes())


@pytest.mark.parametrize("key", [entry["key"] for entry in CATALOGUE])
def test_every_sample_is_lint_clean_with_layout_once_registered(
    registry: Registry, key: str
) -> None:
    load_catalogue_folder(registry, SAMPLE_MODELS, author="demo")
    assert registry.lint_process(key) == []
    assert registry.get_document(key).has_diagram_layout


def test_call_activities_resolve_only_when_the_called_process_is_registered(
    registry: Registry, tmp_path: Path
) -> None:
    folder = tmp_path / "ohne-gebuehren"
    shutil.copytree(SAMPLE_MODELS, folder)
    catalogue = [e for e in CATALOGUE if e["key"] != "gebuehren-erheben"]
    (folder / "catalogue.json").write_text(json.dumps(catalogue), encoding="utf-8")
    load_catalogue_folder(registry, folder, author="demo")
    findings = registry.lint_process("baugenehmigung")
    assert [f.rule for f in findings] == ["call-activity-resolves"]


def test_broken_catalogue_names_file_line_and_column(registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "catalogue.json").write_text('[{"key": "x",\n "file": }]', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"catalogue.json, Zeile 2, Spalte 10"):
        load_catalogue_folder(registry, tmp_path, author="demo")
    assert registry.is_empty()


def test_a_bad_entry_anywhere_in_the_folder_stores_nothing(
    registry: Registry, tmp_path: Path
) -> None:
    folder = tmp_path / "kaputt"
    shutil.copytree(SAMPLE_MODELS, folder)
    catalogue = [dict(e) for e in CATALOGUE]
    catalogue[-1]["status"] = "genehmigt"
    (folder / "catalogue.json").write_text(json.dumps(catalogue), encoding="utf-8")
    with pytest.raises(
        ValidationError, match=f"Eintrag „{catalogue[-1]['key']}“: Unbekannter Status"
    ):
        load_catalogue_folder(registry, folder, author="demo")
    assert registry.is_empty()
