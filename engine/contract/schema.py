"""The JSON Schema of the proposal, generated from the model (docs/proposal.schema.json; a test checks it
has not drifted). It describes the canonical form; the proposal check also accepts units as people write
them (\"50亩\", {value, unit}), Chinese names of coded values and 是/否 (README, "Input").

Regenerate: python -m zonecheck.engine.contract.schema > docs/proposal.schema.json
"""

from __future__ import annotations

import json

from zonecheck.engine.contract.proposal import Proposal


def proposal_schema() -> str:
    schema = Proposal.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "zonecheck proposal 投资项目申报"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(proposal_schema(), end="")
