"""BPMN diagrams pmo draws itself: a discovered model written as BPMN 2.0 with diagram
interchange (``export``), laid out left to right in layers (``layout``, ``layered_graph``, which
the report's process map uses too).
"""

from mining.diagram.export import BpmnExportError as BpmnExportError
from mining.diagram.export import write_bpmn as write_bpmn
from mining.diagram.layered_graph import LayeredGraph as LayeredGraph
from mining.diagram.layered_graph import build_layered_graph as build_layered_graph

__all__ = [
    "BpmnExportError",
    "LayeredGraph",
    "build_layered_graph",
    "write_bpmn",
]
