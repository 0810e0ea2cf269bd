"""Analyses that outlive a process: kept on disk per log and key, removed with their log.

:func:`mining.analyze_stored` is the user: it keys an analysis by everything its figures depend
on (:func:`digest`), reads it from an :class:`AnalysisCache` or computes and writes it. The
encoding (:func:`dumps`, :func:`loads`) is JSON that keeps generated texts in both languages.
"""

from mining.cache.codec import dumps, loads
from mining.cache.keys import digest, stable
from mining.cache.store import AnalysisCache

__all__ = ["AnalysisCache", "digest", "dumps", "loads", "stable"]
