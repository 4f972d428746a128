"""zonecheck's engine: rule packs as data, compiled to durable_rules, findings as data.

It knows no clause (the clauses are data in `rules/`) and nothing of HTTP, files or prose. Layers, lowest
first; a layer imports only the layers below it (checked by tests/test_architecture.py):

- `contract/`  the proposal model, its fact catalogue and units;
- `pack/`      the rule-pack language: pack model, loader, formulas, where packs are installed;
- `core/`      facts, parameters in force, the durable_rules compiler and runtime, outcomes;
- `explain/`   typed findings (status, case, reason, missing facts, values read) and the verdict;
- `screener`   one compiled pack: proposal -> verdict.
"""

__version__ = "0.1.0"
