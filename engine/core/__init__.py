"""Evaluation: facts from a proposal, parameters in force for a zone and date, the compiler from pack
conditions to durable_rules expressions, and the runtime driving durable_rules' C core.
May import `engine.contract` and `engine.pack`."""
