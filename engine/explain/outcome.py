"""The closed vocabularies of a verdict, as enums whose values are the JSON codes.

They are `StrEnum`s, so a status compares equal to its code (`Status.VIOLATED == "violated"`) and
serialises as it. Labels for people are in `zonecheck.service.present.catalogue`, never here.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    VIOLATED = "violated"
    SATISFIED = "satisfied"
    NOT_APPLICABLE = "not_applicable"
    UNDETERMINED = "undetermined"


class Reason(StrEnum):
    """Why a finding is undetermined."""

    MISSING_FACTS = "missing_facts"
    NO_THRESHOLD = "no_threshold"


class Severity(StrEnum):
    VETO = "veto"
    MANDATORY = "mandatory"
    CONDITION = "condition"
    ADVISORY = "advisory"


class Decision(StrEnum):
    """In order of precedence: the first that applies is the decision (README, "The decision")."""

    REJECTED = "rejected"
    REVISE = "revise"
    INCOMPLETE = "incomplete"
    NEEDS_REVIEW = "needs_review"
    CONDITIONAL = "conditional"
    APPROVED = "approved"


# the compiler's outcome kinds (engine/core/compiler.py) as statuses
FROM_KIND = {"n": Status.NOT_APPLICABLE, "v": Status.VIOLATED, "u": Status.UNDETERMINED, "s": Status.SATISFIED}
