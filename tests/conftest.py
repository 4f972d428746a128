"""Shared test set-up. The Gherkin tags of feature files are registered as pytest markers by the specs
plugin (`zonecheck.service.specs.plugin`, loaded by pyproject's addopts) as each file is bound, so
`-m 环保` selects them under `--strict-markers`."""
