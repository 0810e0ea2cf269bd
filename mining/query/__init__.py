"""Questions asked of a stored log: its view (a log plus filters), the stored layout, and every
aggregate as SQL run by DuckDB in a session of the view. All the project's aggregate SQL lives in
this package; nothing here imports the catalogue database or the other stages of ``mining``.

``view`` (LogView and the filter constructors) → ``filters`` (the filters as SQL) → ``session``
(read once, numbered by numpy, run in DuckDB) → ``queries`` (the questions) and ``cases`` (the
cases behind a figure, a case's trace); ``describe`` puts filters into words; ``layout`` is the
order the import writes the events in, ``variants`` the record of one variant; ``trends`` asks
for the cases per calendar period, ``values`` what a filter can choose from, ``continuity`` whether
a step follows its predecessor in the same resource's working session or by a system account.
"""

from mining.query.cases import CaseList as CaseList
from mining.query.cases import CaseListRecord as CaseListRecord
from mining.query.cases import CaseOrder as CaseOrder
from mining.query.cases import CaseRecord as CaseRecord
from mining.query.cases import CaseRow as CaseRow
from mining.query.cases import TraceStep as TraceStep
from mining.query.cases import case_trace as case_trace
from mining.query.cases import get_cases as get_cases
from mining.query.continuity import query_resource_continuity as query_resource_continuity
from mining.query.describe import describe_filter as describe_filter
from mining.query.describe import describe_period as describe_period
from mining.query.layout import write_arranged as write_arranged
from mining.query.queries import SERVICE_TIME as SERVICE_TIME
from mining.query.queries import SOJOURN_TIME as SOJOURN_TIME
from mining.query.queries import CaseDurations as CaseDurations
from mining.query.queries import LogStats as LogStats
from mining.query.queries import analysis_session as analysis_session
from mining.query.queries import arranged_log_stats as arranged_log_stats
from mining.query.queries import count_handovers as count_handovers
from mining.query.queries import count_people as count_people
from mining.query.queries import count_reworked_cases as count_reworked_cases
from mining.query.queries import edge_statistics as edge_statistics
from mining.query.queries import get_activity_profile as get_activity_profile
from mining.query.queries import get_activity_times as get_activity_times
from mining.query.queries import get_case_durations as get_case_durations
from mining.query.queries import get_dfg as get_dfg
from mining.query.queries import get_log_stats as get_log_stats
from mining.query.queries import get_start_end_activities as get_start_end_activities
from mining.query.queries import get_variants as get_variants
from mining.query.queries import query_case_spans as query_case_spans
from mining.query.queries import query_channels as query_channels
from mining.query.queries import query_deadline_clocks as query_deadline_clocks
from mining.query.queries import query_edges as query_edges
from mining.query.queries import query_events as query_events
from mining.query.queries import query_handovers as query_handovers
from mining.query.queries import query_rework as query_rework
from mining.query.queries import query_transitions as query_transitions
from mining.query.queries import query_unit_counts as query_unit_counts
from mining.query.trends import PERIOD_UNITS as PERIOD_UNITS
from mining.query.trends import query_trends as query_trends
from mining.query.values import attribute_columns as attribute_columns
from mining.query.values import get_attribute_values as get_attribute_values
from mining.query.variants import VariantCount as VariantCount
from mining.query.view import AttributeFilter as AttributeFilter
from mining.query.view import Filter as Filter
from mining.query.view import LogView as LogView
from mining.query.view import LogViewError as LogViewError
from mining.query.view import checked_attribute as checked_attribute
from mining.query.view import filter_activity_presence as filter_activity_presence
from mining.query.view import filter_attribute as filter_attribute
from mining.query.view import filter_case_duration as filter_case_duration
from mining.query.view import filter_directly_follows as filter_directly_follows
from mining.query.view import filter_endpoints as filter_endpoints
from mining.query.view import filter_local_days as filter_local_days
from mining.query.view import filter_time_range as filter_time_range
from mining.query.view import filter_variant_coverage as filter_variant_coverage
from mining.query.view import filter_variants as filter_variants
from mining.query.view import filter_variants_top_k as filter_variants_top_k
from mining.query.view import open_log as open_log

__all__ = [
    "PERIOD_UNITS",
    "SERVICE_TIME",
    "SOJOURN_TIME",
    "AttributeFilter",
    "CaseDurations",
    "CaseList",
    "CaseListRecord",
    "CaseOrder",
    "CaseRecord",
    "CaseRow",
    "Filter",
    "LogStats",
    "LogView",
    "LogViewError",
    "TraceStep",
    "VariantCount",
    "analysis_session",
    "attribute_columns",
    "case_trace",
    "checked_attribute",
    "count_handovers",
    "count_people",
    "count_reworked_cases",
    "describe_filter",
    "describe_period",
    "edge_statistics",
    "filter_activity_presence",
    "filter_attribute",
    "filter_case_duration",
    "filter_directly_follows",
    "filter_endpoints",
    "filter_local_days",
    "filter_time_range",
    "filter_variant_coverage",
    "filter_variants",
    "filter_variants_top_k",
    "get_activity_profile",
    "get_activity_times",
    "get_attribute_values",
    "get_case_durations",
    "get_cases",
    "get_dfg",
    "arranged_log_stats",
    "get_log_stats",
    "get_start_end_activities",
    "get_variants",
    "open_log",
    "query_case_spans",
    "query_channels",
    "query_deadline_clocks",
    "query_edges",
    "query_events",
    "query_handovers",
    "query_resource_continuity",
    "query_rework",
    "query_transitions",
    "query_trends",
    "query_unit_counts",
    "write_arranged",
]
