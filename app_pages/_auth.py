"""Who is using the workspace, and what their role lets them do.

Three roles: ``process_manager`` (the office: edits the registry, sees every department),
``department`` (uploads logs and sees the logs and analyses of its own processes only) and
``leadership`` (reads). Two ways to know the user:

* **Single-user mode** (default, ``make run``): one local user, role ``process_manager``. For
  trying out other roles, ``PMO_LOCAL_ROLE`` and ``PMO_LOCAL_DEPARTMENT`` set them.
* **OIDC** (production): when ``.streamlit/secrets.toml`` has an ``[auth]`` section, users sign in
  with ``st.login()``; their e-mail address is looked up in the role file named by
  ``PMO_ROLES_FILE`` (TOML: ``["amt32@stadt.de"] role = "department"
  department = "Fachdienst Steuern"``). Unknown users get no access.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from app_pages._i18n import t

__all__ = ["ROLES", "User", "current_user", "require"]

ROLES = ("process_manager", "department", "leadership")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    department: str | None = None  # only for the department role
    local: bool = False

    @property
    def can_edit_registry(self) -> bool:
        return self.role == "process_manager"

    @property
    def can_upload(self) -> bool:
        return self.role in ("process_manager", "department")

    @property
    def can_delete_logs(self) -> bool:
        """Delete logs in the user's :attr:`scope`: a department the logs stored for it (its
        uploads and any log of its processes), the office every log."""
        return self.role in ("process_manager", "department")

    @property
    def can_create_reports(self) -> bool:
        return self.role in ("process_manager", "department", "leadership")

    @property
    def scope(self) -> str:
        """The data a user may see: ``*`` (all departments) or one department's name. Every
        cached loader takes it as an argument, so cache entries never cross departments."""
        if self.role != "department":
            return "*"
        # A department account without a department sees nothing rather than everything.
        return self.department or "(ohne Fachdienst)"

    def sees_department(self, department: str | None) -> bool:
        return self.scope == "*" or department == self.scope

    @property
    def role_label(self) -> str:
        return t(f"common.role_{self.role}")


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError):
        return False
    except Exception:  # noqa: BLE001 - a broken secrets file must not open the door: no login
        return True


def _role_file() -> dict[str, dict[str, str]]:
    path = os.environ.get("PMO_ROLES_FILE")
    if not path:
        return {}
    with Path(path).open("rb") as handle:
        return tomllib.load(handle)


def current_user() -> User | None:
    """The signed-in user, or None (then the caller shows the login and stops)."""
    if not _oidc_configured():
        role = os.environ.get("PMO_LOCAL_ROLE", "process_manager")
        if role not in ROLES:
            role = "leadership"  # an unknown role gets the least rights
        department = os.environ.get("PMO_LOCAL_DEPARTMENT") or None
        name = os.environ.get("PMO_USER") or "lokal"
        return User(name=name, role=role, department=department, local=True)
    if not st.user.is_logged_in:
        return None
    email = str(st.user.get("email", "")).lower()
    entry = _role_file().get(email)
    if not entry or entry.get("role") not in ROLES:
        st.error(t("common.no_role", email=email))
        if st.button(t("common.logout_button")):
            st.logout()
        st.stop()
    return User(
        name=str(st.user.get("name") or email),
        role=entry["role"],
        department=entry.get("department"),
    )


def require(user: User, allowed: tuple[str, ...]) -> None:
    """Stop the page with a message unless ``user``'s role is one of ``allowed``."""
    if user.role not in allowed:
        st.error(t("common.not_allowed"))
        st.stop()
