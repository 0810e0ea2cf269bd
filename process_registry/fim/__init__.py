"""FIM Stammprozesse in XProzess 2: read the catalogue data, activity groups and BPMN; write them.

file = read_xprozess(data, source="Stammprozess.xml")   # raises BpmnParseError on bad input
file.stamm.leika, file.stamm.activity_groups, file.bpmn
write_xprozess(file.stamm, file.bpmn, created=now, product_version="1.0")
"""

from .codes import FIM_STATUS as FIM_STATUS
from .codes import LAND_NAMES as LAND_NAMES
from .codes import registry_status as registry_status
from .codes import status_code_for as status_code_for
from .read import MAX_XPROZESS_BYTES as MAX_XPROZESS_BYTES
from .read import XPROZESS_NS as XPROZESS_NS
from .read import XProzessFile as XProzessFile
from .read import read_xprozess as read_xprozess
from .records import ActivityGroup as ActivityGroup
from .records import LegalBasis as LegalBasis
from .records import Stammprozess as Stammprozess
from .write import write_xprozess as write_xprozess

__all__ = [
    "FIM_STATUS",
    "LAND_NAMES",
    "MAX_XPROZESS_BYTES",
    "XPROZESS_NS",
    "ActivityGroup",
    "LegalBasis",
    "Stammprozess",
    "XProzessFile",
    "read_xprozess",
    "registry_status",
    "status_code_for",
    "write_xprozess",
]
