"""Benchmark harness: pmo against the stock pm4py pipeline on generated municipal logs (issue 7).

``python -m bench.run`` (``make bench``) generates the logs, runs both sides in their own process and
checks that they compute the same results; see ``bench/README.md``.
"""
