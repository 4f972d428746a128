"""The rule-pack language: the loaded pack's model (rules, conditions, parameters, sources, zones), the
loader that checks a pack and reports `file:line: reason`, formulas, and where packs are installed.
May import `engine.contract` only."""
