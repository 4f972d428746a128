"""The proposal contract: the validated proposal model, its fact catalogue (paths, Chinese labels,
units, coded values) and exact units. Imports nothing else of zonecheck; everything may import it."""
