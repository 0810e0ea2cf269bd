"""The import stage: upload → read → map columns → normalize → pseudonymize → store.

``read`` turns one upload (CSV, XES, XLSX, Parquet, ZIP) into string-typed Arrow batches with the
source line of every row; ``columns`` suggests which column is case, activity, time, resource; ``channels``
recognizes intake-channel columns, kept by default;
``timestamps`` parses times with an explicit policy; ``normalize`` checks and converts the rows;
``privacy`` pseudonymizes employees and case surrogates; ``pipeline`` runs these steps into a staging
file; ``checks`` warns about a staged log that should not speak for its process; ``store`` (:class:`LogStore`) files the result and its catalogue row through
``process_registry``'s log catalogue, all or nothing.
"""

from mining.ingest.channels import CHANNEL_REASON as CHANNEL_REASON
from mining.ingest.channels import channel_columns as channel_columns
from mining.ingest.channels import is_channel_column as is_channel_column
from mining.ingest.checks import MIN_MODEL_SHARE as MIN_MODEL_SHARE
from mining.ingest.checks import ActivityOverlap as ActivityOverlap
from mining.ingest.checks import ImportCheck as ImportCheck
from mining.ingest.checks import ModelReview as ModelReview
from mining.ingest.checks import UploadReview as UploadReview
from mining.ingest.checks import activity_names as activity_names
from mining.ingest.checks import file_sha256 as file_sha256
from mining.ingest.columns import OPTIONAL_ROLES as OPTIONAL_ROLES
from mining.ingest.columns import REQUIRED_ROLES as REQUIRED_ROLES
from mining.ingest.columns import ColumnMapping as ColumnMapping
from mining.ingest.columns import MappingSuggestion as MappingSuggestion
from mining.ingest.columns import suggest_mapping as suggest_mapping
from mining.ingest.pipeline import ImportOptions as ImportOptions
from mining.ingest.pipeline import ingest_file as ingest_file
from mining.ingest.privacy import SecretKey as SecretKey
from mining.ingest.privacy import load_or_create_secret as load_or_create_secret
from mining.ingest.read import SUPPORTED_FORMATS as SUPPORTED_FORMATS
from mining.ingest.read import Detected as Detected
from mining.ingest.read import ReadOptions as ReadOptions
from mining.ingest.read import open_table as open_table
from mining.ingest.read import preview_table as preview_table
from mining.ingest.store import ImportResult as ImportResult
from mining.ingest.store import LogInfo as LogInfo
from mining.ingest.store import LogNotFoundError as LogNotFoundError
from mining.ingest.store import LogStore as LogStore
from mining.ingest.timestamps import TimestampPolicy as TimestampPolicy
from mining.ingest.timestamps import describe_format as describe_format
from mining.ingest.timestamps import detect_timestamp_format as detect_timestamp_format

__all__ = [
    "CHANNEL_REASON",
    "MIN_MODEL_SHARE",
    "OPTIONAL_ROLES",
    "REQUIRED_ROLES",
    "SUPPORTED_FORMATS",
    "ActivityOverlap",
    "ColumnMapping",
    "Detected",
    "ImportCheck",
    "ImportOptions",
    "ImportResult",
    "LogInfo",
    "LogNotFoundError",
    "LogStore",
    "MappingSuggestion",
    "ModelReview",
    "ReadOptions",
    "SecretKey",
    "TimestampPolicy",
    "UploadReview",
    "activity_names",
    "channel_columns",
    "describe_format",
    "detect_timestamp_format",
    "file_sha256",
    "ingest_file",
    "is_channel_column",
    "load_or_create_secret",
    "open_table",
    "preview_table",
    "suggest_mapping",
]
