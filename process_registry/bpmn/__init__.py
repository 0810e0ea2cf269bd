"""BPMN 2.0 for the registry: hardened parsing, lint (bpmnlint port plus municipal rules), diff."""

from .diff import BpmnDiff as BpmnDiff
from .diff import diff_bpmn as diff_bpmn
from .lint import LINT_RULES as LINT_RULES
from .lint import LintContext as LintContext
from .lint import LintFinding as LintFinding
from .lint import lint_bpmn as lint_bpmn
from .model import BpmnDocument as BpmnDocument
from .model import EventDefinition as EventDefinition
from .model import FlowNode as FlowNode
from .model import Lane as Lane
from .model import MessageFlow as MessageFlow
from .model import Participant as Participant
from .model import Process as Process
from .model import SequenceFlow as SequenceFlow
from .parse import parse_bpmn as parse_bpmn
from .safe_xml import MAX_BPMN_BYTES as MAX_BPMN_BYTES
from .safe_xml import parse_untrusted_xml as parse_untrusted_xml

__all__ = [
    "LINT_RULES",
    "MAX_BPMN_BYTES",
    "BpmnDiff",
    "BpmnDocument",
    "EventDefinition",
    "FlowNode",
    "Lane",
    "LintContext",
    "LintFinding",
    "MessageFlow",
    "Participant",
    "Process",
    "SequenceFlow",
    "diff_bpmn",
    "lint_bpmn",
    "parse_bpmn",
    "parse_untrusted_xml",
]
