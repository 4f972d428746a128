"""The rule-pack language: the loaded pack's model (rules, conditions, parameters, sources, zones), the
loader that checks a pack and reports `file:line: reason` (`marks`: YAML with lines; `shape`: each file
kind's pydantic model and the published JSON Schema; `loader`: what the values mean), formulas, and
where packs are installed. May import `engine.contract` only."""
