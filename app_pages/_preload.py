"""What every page needs, loaded when the workspace starts rather than when the first user comes.

Streamlit runs a page's script only when a browser connects, so without this the first visitor
after a start waits for pandas, SQLAlchemy, Altair, pm4py and pmo's own packages to load (about
two seconds on a small server). ``pmo app`` imports this module in the server's own process before
Streamlit starts, so the server answers its health check only once they are loaded. It imports
no Streamlit itself: Streamlit's caches must be created by its runtime, not before it.

The loaded modules are then left out of the cyclic garbage collector's passes (``gc.freeze``, as
the ``pmo`` command does for its own imports): Streamlit runs a full collection after every
script run, and walking these quarter of a million objects held the server for a tenth of a
second after every click, before the browser heard that the run had ended.
"""

import gc

gc.disable()  # nothing loaded here is garbage: no passes while the imports create objects
try:
    import altair  # noqa: F401 - charts of Übersicht and Analyse
    import pandas  # noqa: F401
    import pm4py  # noqa: F401 - conformance of an analysis not yet stored

    from mining import analyze  # noqa: F401
    from pmo import ReportFilters  # noqa: F401 - and with it the portfolio (build_report)
    from process_registry import Registry  # noqa: F401
finally:
    gc.freeze()
    gc.enable()
