"""Pseudonymization, the secret key and role maps (docs/RELIABILITY.md §4, item 37)."""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import stat
from pathlib import Path

import pyarrow as pa
import pytest

from mining.errors import EventLogError
from mining.ingest.privacy import (
    KEY_ENV,
    Pseudonymizer,
    SecretKey,
    SecretKeyError,
    load_or_create_secret,
    read_role_map,
)

NAMES = ["Erika Mustermann", "Max Müller"]


@pytest.fixture
def key(tmp_path: Path) -> SecretKey:
    return load_or_create_secret(tmp_path, env={})


class TestSecretKey:
    def test_created_once_with_mode_0600(self, tmp_path: Path):
        first = load_or_create_secret(tmp_path / "daten", env={})
        path = tmp_path / "daten" / "secret.key"
        assert first.created and first.origin == str(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert len(first.value) == 32
        second = load_or_create_secret(tmp_path / "daten", env={})
        assert not second.created and second.value == first.value
        assert [p.name for p in path.parent.iterdir()] == ["secret.key"]  # no temporary left

    def test_mode_is_0600_even_with_a_permissive_umask(self, tmp_path: Path):
        previous = os.umask(0)
        try:
            load_or_create_secret(tmp_path, env={})
        finally:
            os.umask(previous)
        assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600

    def test_environment_wins(self, tmp_path: Path):
        secret = "s" * 40
        key = load_or_create_secret(tmp_path, env={KEY_ENV: secret})
        assert key.value == secret.encode() and key.origin == KEY_ENV and not key.created
        assert not (tmp_path / "secret.key").exists()

    def test_short_environment_key_is_refused(self, tmp_path: Path):
        with pytest.raises(SecretKeyError, match="mindestens 32"):
            load_or_create_secret(tmp_path, env={KEY_ENV: "kurz"})

    def test_key_file_readable_by_others_is_refused(self, tmp_path: Path):
        load_or_create_secret(tmp_path, env={})
        (tmp_path / "secret.key").chmod(0o644)
        with pytest.raises(SecretKeyError, match="chmod 600"):
            load_or_create_secret(tmp_path, env={})

    def test_corrupt_key_file_is_refused(self, tmp_path: Path):
        path = tmp_path / "secret.key"
        path.write_text("kein hex\n")
        path.chmod(0o600)
        with pytest.raises(SecretKeyError, match="beschädigt"):
            load_or_create_secret(tmp_path, env={})

    def test_repr_and_str_do_not_reveal_the_key(self, key: SecretKey):
        pseudonymizer = Pseudonymizer(key, role_map={"Erika Mustermann": "Sachbearbeitung"})
        for text in (repr(key), str(key), repr(pseudonymizer), str(pseudonymizer)):
            assert key.value.hex() not in text
            assert repr(key.value) not in text
            assert "Erika" not in text

    def test_pseudonymizer_cannot_be_pickled(self, key: SecretKey):
        with pytest.raises(TypeError):
            pickle.dumps(Pseudonymizer(key))


class TestPseudonymizer:
    def test_hmac_sha256_prefix_and_16_hex_digits(self, key: SecretKey):
        expected = hmac.new(key.value, b"Erika Mustermann", hashlib.sha256).hexdigest()[:16]
        result = Pseudonymizer(key).apply(pa.array(["Erika Mustermann"])).to_pylist()
        assert result == ["P-" + expected]

    def test_stable_across_instances_and_differs_with_another_key(self, tmp_path: Path):
        one = load_or_create_secret(tmp_path / "a", env={})
        other = load_or_create_secret(tmp_path / "b", env={})
        values = pa.array(NAMES)
        first = Pseudonymizer(one).apply(values).to_pylist()
        assert Pseudonymizer(one).apply(values).to_pylist() == first
        assert set(Pseudonymizer(other).apply(values).to_pylist()).isdisjoint(first)
        assert len(set(first)) == 2

    def test_empty_and_null_stay_null_blanks_are_ignored(self, key: SecretKey):
        result = Pseudonymizer(key).apply(pa.array(["", None, " Max Müller ", "Max Müller"]))
        assert result.to_pylist()[:2] == [None, None]
        assert result[2] == result[3]

    def test_text_like_na_is_a_name_not_a_gap(self, key: SecretKey):
        result = Pseudonymizer(key).apply(pa.array(["NA", "None"])).to_pylist()
        assert all(value is not None and value.startswith("P-") for value in result)

    def test_chunked_input(self, key: SecretKey):
        chunked = pa.chunked_array([["Erika Mustermann"], ["Erika Mustermann"]])
        result = Pseudonymizer(key).apply(chunked).to_pylist()
        assert result[0] == result[1]

    def test_case_surrogates_are_deterministic_and_separate(self, key: SecretKey):
        """Same Aktenzeichen in a later upload → same surrogate; never equal to a person's."""
        first_upload = Pseudonymizer(key, prefix="F-").apply(pa.array(["63-1/24"])).to_pylist()
        later_upload = Pseudonymizer(key, prefix="F-").apply(pa.array(["63-1/24"])).to_pylist()
        assert first_upload == later_upload and first_upload[0].startswith("F-")
        assert Pseudonymizer(key).apply(pa.array(["63-1/24"])).to_pylist()[0].startswith("P-")

    def test_role_map_replaces_known_names_and_counts_the_rest(self, key: SecretKey):
        roles = {"erika  MUSTERMANN": "Sachbearbeitung", "Max Müller": "Teamleitung"}
        pseudonymizer = Pseudonymizer(key, role_map=roles)
        values = pa.array(["Erika Mustermann", "Max Müller", "Eva Neu", "Eva Neu", "Ole Alt", ""])
        result, unmapped = pseudonymizer.apply_and_count(values)
        assert result.to_pylist()[:2] == ["Sachbearbeitung", "Teamleitung"]
        assert result[2] == result[3] and result.to_pylist()[2].startswith("P-")
        assert result.to_pylist()[5] is None
        assert len(unmapped) == 2 and all(item.startswith("P-") for item in unmapped)
        assert pseudonymizer.uses_roles

    def test_no_reverse_lookup_exists(self, key: SecretKey):
        pseudonymizer = Pseudonymizer(key)
        pseudonymizer.apply(pa.array(NAMES))
        public = [name for name in dir(pseudonymizer) if not name.startswith("_")]
        assert sorted(public) == ["apply", "apply_and_count", "prefix", "pseudonym", "uses_roles"]


class TestRoleMap:
    def test_cp1252_with_umlauts_semicolon_and_header(self, tmp_path: Path):
        path = tmp_path / "rollen.csv"
        text = "Name;Rolle\r\nJürgen Größe;Sachbearbeitung Bürgerbüro\r\nMax Müller;Teamleitung\r\n"
        path.write_bytes(text.encode("cp1252"))
        assert read_role_map(path) == {
            "Jürgen Größe": "Sachbearbeitung Bürgerbüro",
            "Max Müller": "Teamleitung",
        }

    def test_utf8_with_bom_comma_no_header_trailing_separator(self, tmp_path: Path):
        path = tmp_path / "rollen.csv"
        path.write_bytes("\ufeffErika Mustermann,Sachbearbeitung,\n\nMax Müller,Leitung\n".encode())
        assert read_role_map(path) == {
            "Erika Mustermann": "Sachbearbeitung",
            "Max Müller": "Leitung",
        }

    def test_row_without_role_names_the_line(self, tmp_path: Path):
        path = tmp_path / "rollen.csv"
        path.write_text("Name;Rolle\nErika Mustermann;Sachbearbeitung\nMax Müller\n")
        with pytest.raises(EventLogError) as caught:
            read_role_map(path)
        assert caught.value.line == 3
        assert "Max" not in str(caught.value)

    def test_conflicting_roles_name_both_lines(self, tmp_path: Path):
        path = tmp_path / "rollen.csv"
        path.write_text("Max Müller;A\nErika Mustermann;B\nmax müller;C\n")
        with pytest.raises(EventLogError, match="Zeile 1") as caught:
            read_role_map(path)
        assert caught.value.line == 3

    def test_empty_role_map_is_an_error(self, tmp_path: Path):
        path = tmp_path / "rollen.csv"
        path.write_text("Name;Rolle\n")
        with pytest.raises(EventLogError, match="keine Einträge"):
            read_role_map(path)


def test_system_accounts_are_kept_and_people_stay_pseudonymized(key: SecretKey) -> None:
    """A machine is no person: the digitization rules need to see which steps it does. A value
    that only starts like one ("System Meier") is a name like any other."""
    values = pa.array(
        ["SYSTEM", "RPA-Bot 2", "Schnittstelle_Fachverfahren", "System Meier", *NAMES]
    )
    out = Pseudonymizer(key).apply(values).to_pylist()
    assert out[:3] == ["SYSTEM", "RPA-Bot 2", "Schnittstelle_Fachverfahren"]
    assert all(value.startswith("P-") for value in out[3:])
    assert not any(name in value for value in out for name in ("Meier", *NAMES))
