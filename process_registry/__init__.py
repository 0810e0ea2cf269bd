"""Process registry: the city's administrative services as versioned BPMN 2.0 models.

Open a database, migrate it, and work through :class:`Registry`::

    db = open_database()            # PMO_DATABASE_URL, else a SQLite file in PMO_DATA_DIR
    upgrade_schema(db)
    registry = Registry(db)
    registry.add_process(bpmn_bytes, name="Hundesteuer anmelden", department="Fachdienst Steuern",
                         author="mueller")
"""

from . import clock as clock
from .audit_text import audit_sentence as audit_sentence
from .bpmn import MAX_BPMN_BYTES as MAX_BPMN_BYTES
from .bpmn import BpmnDiff as BpmnDiff
from .bpmn import BpmnDocument as BpmnDocument
from .bpmn import FlowNode as FlowNode
from .bpmn import LintContext as LintContext
from .bpmn import LintFinding as LintFinding
from .bpmn import Process as Process
from .bpmn import diff_bpmn as diff_bpmn
from .bpmn import lint_bpmn as lint_bpmn
from .bpmn import parse_bpmn as parse_bpmn
from .bpmn.diff import FlowRef as FlowRef
from .bpmn.safe_xml import HARDENED_PARSER_OPTIONS as HARDENED_PARSER_OPTIONS
from .bpmn.safe_xml import UnsafeXmlRuntimeError as UnsafeXmlRuntimeError
from .bpmn.safe_xml import check_xml_runtime as check_xml_runtime
from .catalogue import LEIKA_NONE as LEIKA_NONE
from .catalogue import OZG_SCALES as OZG_SCALES
from .catalogue import ProcessStatus as ProcessStatus
from .clock import BERLIN as BERLIN
from .clock import iso as iso
from .clock import local as local
from .clock import local_date as local_date
from .clock import local_date_text as local_date_text
from .clock import local_day_window as local_day_window
from .clock import local_text as local_text
from .clock import parse_iso as parse_iso
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
from .errors import ReleaseBlockedError as ReleaseBlockedError
from .errors import ReportAlteredError as ReportAlteredError
from .errors import ReportNotFoundError as ReportNotFoundError
from .errors import SchemaOutdatedError as SchemaOutdatedError
from .errors import UnsupportedDatabaseError as UnsupportedDatabaseError
from .errors import ValidationError as ValidationError
from .errors import VersionNotFoundError as VersionNotFoundError
from .event_logs import EventLogCatalogue as EventLogCatalogue
from .event_logs import NewEventLog as NewEventLog
from .event_logs import StoredEventLog as StoredEventLog
from .files import os_error_reason as os_error_reason
from .files import read_limited as read_limited
from .files import regular_file_problem as regular_file_problem
from .files import sync_folder as sync_folder
from .files import write_text_atomically as write_text_atomically
from .fim import FIM_STATUS as FIM_STATUS
from .fim import LAND_NAMES as LAND_NAMES
from .fim import MAX_XPROZESS_BYTES as MAX_XPROZESS_BYTES
from .fim import XPROZESS_NS as XPROZESS_NS
from .fim import ActivityGroup as ActivityGroup
from .fim import LegalBasis as LegalBasis
from .fim import Stammprozess as Stammprozess
from .fim import read_xprozess as read_xprozess
from .local_processes import StammComparison as StammComparison
from .records import AuditRecord as AuditRecord
from .records import ProcessRecord as ProcessRecord
from .records import ProcessSummary as ProcessSummary
from .records import ReportSummary as ReportSummary
from .records import VersionInfo as VersionInfo
from .records import VersionRef as VersionRef
from .reference import REFERENCE_REASONS as REFERENCE_REASONS
from .reference import ReferenceLog as ReferenceLog
from .registry import CATALOGUE_FIELDS as CATALOGUE_FIELDS
from .registry import Registry as Registry
from .reports import ReportArchive as ReportArchive
from .reports import canonical_json as canonical_json
from .samples import load_catalogue_folder as load_catalogue_folder
from .schema import SCHEMA_REVISION as SCHEMA_REVISION
from .schema import current_revision as current_revision
from .schema import prepared_schema as prepared_schema
from .schema import upgrade_schema as upgrade_schema
from .settings import DEFAULT_DATA_AGE_WARNING_DAYS as DEFAULT_DATA_AGE_WARNING_DAYS
from .settings import DEFAULT_HOLIDAY_CALENDAR as DEFAULT_HOLIDAY_CALENDAR
from .settings import DEFAULT_MIN_CASES as DEFAULT_MIN_CASES
from .settings import DEFAULT_MIN_GROUP_SIZE as DEFAULT_MIN_GROUP_SIZE
from .settings import LANDS as LANDS
from .settings import OFFICE_TIMEZONE as OFFICE_TIMEZONE
from .settings import PERSONALRAT_THRESHOLD as PERSONALRAT_THRESHOLD
from .settings import SETTINGS_FILE as SETTINGS_FILE
from .settings import OfficeSettings as OfficeSettings
from .settings import SettingsError as SettingsError
from .settings import checked_calendar as checked_calendar
from .settings import checked_settings as checked_settings
from .settings import configured_settings as configured_settings
from .settings import current_user as current_user
from .settings import data_dir as data_dir
from .settings import database_url as database_url
from .settings import office_settings as office_settings
from .settings import retention_days as retention_days
from .settings import save_office_settings as save_office_settings
from .stammprozesse import FimImport as FimImport
from .stammprozesse import TaskGroup as TaskGroup

__all__ = [
    "MAX_XPROZESS_BYTES",
    "TaskGroup",
    "StammComparison",
    "FimImport",
    "read_xprozess",
    "Stammprozess",
    "LegalBasis",
    "ActivityGroup",
    "XPROZESS_NS",
    "LAND_NAMES",
    "FIM_STATUS",
    "BERLIN",
    "CATALOGUE_FIELDS",
    "DEFAULT_HOLIDAY_CALENDAR",
    "DEFAULT_DATA_AGE_WARNING_DAYS",
    "LANDS",
    "DEFAULT_MIN_CASES",
    "DEFAULT_MIN_GROUP_SIZE",
    "HARDENED_PARSER_OPTIONS",
    "LEIKA_NONE",
    "MAX_BPMN_BYTES",
    "OFFICE_TIMEZONE",
    "OZG_SCALES",
    "PERSONALRAT_THRESHOLD",
    "REFERENCE_REASONS",
    "SCHEMA_REVISION",
    "SETTINGS_FILE",
    "AuditRecord",
    "BpmnDiff",
    "BpmnDocument",
    "BpmnParseError",
    "ConflictError",
    "Database",
    "DatabaseBusyError",
    "DatabaseUnavailableError",
    "EventLogCatalogue",
    "FileRefusedError",
    "FlowNode",
    "FlowRef",
    "LintContext",
    "LintFinding",
    "NewEventLog",
    "OfficeSettings",
    "Process",
    "ProcessExistsError",
    "ProcessNotFoundError",
    "ProcessRecord",
    "ProcessStatus",
    "ProcessSummary",
    "ReferenceLog",
    "Registry",
    "RegistryError",
    "ReleaseBlockedError",
    "ReportAlteredError",
    "ReportArchive",
    "ReportNotFoundError",
    "ReportSummary",
    "SchemaOutdatedError",
    "SettingsError",
    "StoredEventLog",
    "UnsafeXmlRuntimeError",
    "UnsupportedDatabaseError",
    "ValidationError",
    "VersionInfo",
    "VersionNotFoundError",
    "VersionRef",
    "audit_sentence",
    "canonical_json",
    "check_xml_runtime",
    "checked_calendar",
    "checked_settings",
    "configured_settings",
    "clock",
    "current_revision",
    "current_user",
    "data_dir",
    "database_url",
    "diff_bpmn",
    "iso",
    "lint_bpmn",
    "load_catalogue_folder",
    "local",
    "local_date",
    "local_date_text",
    "local_day_window",
    "local_text",
    "office_settings",
    "open_database",
    "os_error_reason",
    "parse_bpmn",
    "parse_iso",
    "prepared_schema",
    "read_limited",
    "regular_file_problem",
    "retention_days",
    "save_office_settings",
    "sync_folder",
    "write_text_atomically",
    "upgrade_schema",
]
