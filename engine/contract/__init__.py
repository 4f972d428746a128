"""The proposal contract: the validated proposal model, its fact catalogue (paths, Chinese labels,
units, coded values), exact units and their limits, the proposal check that reads values as people write
them (validate.py), the GB/T 4754-2017 code table and the JSON Schema. Imports nothing else of zonecheck;
everything may import it."""
