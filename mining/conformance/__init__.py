"""Conformance of an event log against a registered BPMN model.

Four steps, each usable on its own (the upload wizard shows the mapping before the check):

.. code-block:: python3

    from mining.conformance import (
        check_conformance, convert_to_petri_net, map_activities, VariantCount,
    )

    model = convert_to_petri_net(doc, log_activities=activities, resolve_call=lookup)
    mapping = map_activities(activities, model.labels, event_names=model.event_names,
                             manual=saved_pairs)
    logged_events = set(mapping.pairs.values()) & model.event_names
    if logged_events:  # systems log events the model draws ("Antrag eingegangen")
        model = convert_to_petri_net(doc, log_activities=activities, resolve_call=lookup,
                                     event_labels=logged_events)
    result = check_conformance(variants, model, mapping, method="token_replay")

pm4py is imported inside the functions: importing it takes seconds and prints a banner, and
``import mining`` must stay cheap for the CLI.
"""

from mining.conformance.cases import deviation_cases as deviation_cases
from mining.conformance.cases import deviation_variants as deviation_variants
from mining.conformance.convert import ConvertedModel as ConvertedModel
from mining.conformance.convert import convert_to_petri_net as convert_to_petri_net
from mining.conformance.deviations import Deviation as Deviation
from mining.conformance.deviations import DeviationKind as DeviationKind
from mining.conformance.errors import ActivityMappingError as ActivityMappingError
from mining.conformance.errors import ConformanceError as ConformanceError
from mining.conformance.errors import ModelConversionError as ModelConversionError
from mining.conformance.mapping import ActivityMapping as ActivityMapping
from mining.conformance.mapping import map_activities as map_activities
from mining.conformance.mapping import normalize_activity as normalize_activity
from mining.conformance.overlay import MEASURES as MEASURES
from mining.conformance.overlay import ElementFigure as ElementFigure
from mining.conformance.overlay import element_figures as element_figures
from mining.conformance.overlay import unmodelled_activities as unmodelled_activities
from mining.conformance.overlay import unplaced_activities as unplaced_activities
from mining.conformance.replay import ConformanceResult as ConformanceResult
from mining.conformance.replay import VariantCount as VariantCount
from mining.conformance.replay import check_conformance as check_conformance

__all__ = [
    "MEASURES",
    "ActivityMapping",
    "ActivityMappingError",
    "ConformanceError",
    "ConformanceResult",
    "ConvertedModel",
    "Deviation",
    "DeviationKind",
    "ElementFigure",
    "ModelConversionError",
    "VariantCount",
    "check_conformance",
    "convert_to_petri_net",
    "deviation_cases",
    "deviation_variants",
    "element_figures",
    "map_activities",
    "normalize_activity",
    "unmodelled_activities",
    "unplaced_activities",
]
