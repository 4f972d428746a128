"""Findings and the verdict: what durable_rules concluded for each rule, why (reason, missing facts),
with the values read and the thresholds applied, and the decision over all findings.
May import `engine.contract`, `engine.pack` and `engine.core`."""
