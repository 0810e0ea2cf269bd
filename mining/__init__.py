"""Process mining over the event logs departments export. Framework-free: no Streamlit here.

Import a log once; everything later reads the stored Parquet file::

    store = LogStore(open_database(), data_dir())
    result = store.import_file(Path("export.csv"), uploader="fd32",
                               options=ImportOptions(process_key="wohngeld"))
    events = store.events_path(result.log_id)

The readers (:func:`open_table`, :func:`preview_table`), the mapping suggestions and the
normalizer are public for the upload wizard, which shows each step before the import.
"""

from .errors import EventLogError as EventLogError
from .errors import MappingError as MappingError
from .errors import MiningError as MiningError
from .errors import UnsafeFileError as UnsafeFileError
from .io import SUPPORTED_FORMATS as SUPPORTED_FORMATS
from .io import Detected as Detected
from .io import ReadOptions as ReadOptions
from .io import open_table as open_table
from .io import preview_table as preview_table
from .logstore import ImportOptions as ImportOptions
from .logstore import ImportResult as ImportResult
from .logstore import LogInfo as LogInfo
from .logstore import LogNotFoundError as LogNotFoundError
from .logstore import LogStore as LogStore
from .mapping import ColumnMapping as ColumnMapping
from .mapping import MappingSuggestion as MappingSuggestion
from .mapping import suggest_mapping as suggest_mapping
from .timestamps import TimestampPolicy as TimestampPolicy
from .timestamps import detect_timestamp_format as detect_timestamp_format

__all__ = [
    "SUPPORTED_FORMATS",
    "ColumnMapping",
    "Detected",
    "EventLogError",
    "ImportOptions",
    "ImportResult",
    "LogInfo",
    "LogNotFoundError",
    "LogStore",
    "MappingError",
    "MappingSuggestion",
    "MiningError",
    "ReadOptions",
    "TimestampPolicy",
    "UnsafeFileError",
    "detect_timestamp_format",
    "open_table",
    "preview_table",
    "suggest_mapping",
]
