"""zonecheck's engine: rule packs as data, compiled to durable_rules, explained verdicts."""

__version__ = "0.1.0"
