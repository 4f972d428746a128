"""Findings and the verdict as data, with no text: what durable_rules concluded for each rule (a
`Status`), why (`Reason`, missing facts), the values read, the exact remedy figures, and the decision and
structured verdict over all findings (schema 2.0). Words are `zonecheck.service.present`'s.
May import `engine.contract`, `engine.pack` and `engine.core`."""
