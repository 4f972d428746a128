"""Acceptance specs policy staff write in Chinese Gherkin: the step vocabulary, the glossary, the pytest
plugin that runs `.feature` files, per-rule coverage and the reports. Shipped in the package so that
`zonecheck specs run` works from an installed zonecheck (the `specs` extra brings pytest and pytest-bdd).

May import `zonecheck.engine`, `service.present` and `service.app` (never `service.cli`). Every read of a
verdict goes through `verdict_view`, the one place that knows the verdict document's shape.
"""
