"""The claims of the study notes, as project data."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

CLAIMS_PATH = Path(__file__).with_name("claims.json")
VERDICTS = ("true", "false", "outdated")


@cache
def claims() -> dict[str, dict]:
    """Claim id -> {id, topic, claim, note, where[, uncovered]}, in the notes' order."""
    data = json.loads(CLAIMS_PATH.read_text(encoding="utf-8"))
    return {c["id"]: c for c in data["claims"]}


def check(args: tuple, kwargs: dict) -> tuple[str, str]:
    """(id, verdict) of a `claim` marker, or ValueError saying what is wrong with it."""
    if len(args) != 1 or set(kwargs) != {"verdict"}:
        raise ValueError('write @pytest.mark.claim("S2-017", verdict="false")')
    claim_id, verdict = args[0], kwargs["verdict"]
    if claim_id not in claims():
        raise ValueError(f"unknown claim id {claim_id!r} (the ids are in reference/_support/claims.json)")
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r} for {claim_id} (use one of {', '.join(VERDICTS)})")
    return claim_id, verdict
