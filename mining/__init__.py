"""Process mining over the event logs departments export (ingestion, discovery, conformance).

Framework-free: nothing here imports Streamlit. The capabilities land issue by issue; until then
this package exports nothing.
"""

__all__: list[str] = []
