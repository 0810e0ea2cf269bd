"""Process registry: the city's administrative services as versioned BPMN 2.0 models.

Open a database, migrate it, and work through :class:`Registry`::

    db = open_database()            # PMO_DATABASE_URL, else a SQLite file in PMO_DATA_DIR
    upgrade_schema(db)
    registry = Registry(db)
    registry.add_process(bpmn_bytes, name="Hundesteuer anmelden", department="Fachdienst Steuern",
                         author="mueller")
"""

from .bpmn import BpmnDiff as BpmnDiff
from .bpmn import BpmnDocument as BpmnDocument
from .bpmn import LintContext as LintContext
from .bpmn import LintFinding as LintFinding
from .bpmn import diff_bpmn as diff_bpmn
from .bpmn import lint_bpmn as lint_bpmn
from .bpmn import parse_bpmn as parse_bpmn
from .catalogue import LEIKA_NONE as LEIKA_NONE
from .catalogue import OZG_SCALES as OZG_SCALES
from .catalogue import ProcessStatus as ProcessStatus
from .db import Database as Database
from .db import open_database as open_database
from .errors import BpmnParseError as BpmnParseError
from .errors import ConflictError as ConflictError
from .errors import DatabaseBusyError as DatabaseBusyError
from .errors import DatabaseUnavailableError as DatabaseUnavailableError
from .errors import FileRefusedError as FileRefusedError
from .errors import ProcessExistsError as ProcessExistsError
from .errors import ProcessNotFoundError as ProcessNotFoundError
from .errors import RegistryError as RegistryError
from .errors import ReportAlteredError as ReportAlteredError
from .errors import ReportNotFoundError as ReportNotFoundError
from .errors import SchemaOutdatedError as SchemaOutdatedError
from .errors import UnsupportedDatabaseError as UnsupportedDatabaseError
from .errors import ValidationError as ValidationError
from .errors import VersionNotFoundError as VersionNotFoundError
from .records import AuditRecord as AuditRecord
from .records import ProcessRecord as ProcessRecord
from .records import ProcessSummary as ProcessSummary
from .records import ReportSummary as ReportSummary
from .records import VersionInfo as VersionInfo
from .records import VersionRef as VersionRef
from .registry import CATALOGUE_FIELDS as CATALOGUE_FIELDS
from .registry import Registry as Registry
from .reports import ReportArchive as ReportArchive
from .samples import load_catalogue_folder as load_catalogue_folder
from .schema import prepared_schema as prepared_schema
from .schema import upgrade_schema as upgrade_schema
from .settings import OfficeSettings as OfficeSettings
from .settings import SettingsError as SettingsError
from .settings import office_settings as office_settings

__all__ = [
    "CATALOGUE_FIELDS",
    "LEIKA_NONE",
    "OZG_SCALES",
    "AuditRecord",
    "BpmnDiff",
    "BpmnDocument",
    "BpmnParseError",
    "ConflictError",
    "Database",
    "DatabaseBusyError",
    "DatabaseUnavailableError",
    "FileRefusedError",
    "LintContext",
    "LintFinding",
    "OfficeSettings",
    "ProcessExistsError",
    "ProcessNotFoundError",
    "ProcessRecord",
    "ProcessStatus",
    "ProcessSummary",
    "Registry",
    "RegistryError",
    "ReportAlteredError",
    "ReportArchive",
    "ReportNotFoundError",
    "ReportSummary",
    "SchemaOutdatedError",
    "SettingsError",
    "UnsupportedDatabaseError",
    "ValidationError",
    "VersionInfo",
    "VersionNotFoundError",
    "VersionRef",
    "diff_bpmn",
    "lint_bpmn",
    "load_catalogue_folder",
    "office_settings",
    "open_database",
    "parse_bpmn",
    "prepared_schema",
    "upgrade_schema",
]
