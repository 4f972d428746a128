"""zonecheck reference evaluator ("oracle"): a pure-Python reading of docs/rule-format.md.

Shares no code with engine/ (only ``engine.model.FACTS`` is consulted for the fact catalogue).
"""

from .conditions import PackError
from .evaluator import ReferenceEvaluator, decide

__all__ = ["ReferenceEvaluator", "PackError", "decide"]
