"""zonecheck reference evaluator ("oracle"): a pure-Python reading of docs/rule-format.md.

Shares no code with engine/: it imports only the proposal contract (``zonecheck.engine.contract``,
for the fact catalogue). Nothing in zonecheck imports it but the tests and the benchmark.
"""

from .conditions import PackError
from .evaluator import ReferenceEvaluator, decide

__all__ = ["ReferenceEvaluator", "PackError", "decide"]
