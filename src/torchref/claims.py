"""The claims of the study notes, as project data (the file `[tool.torchref] claims` names)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

VERDICTS = ("true", "false", "outdated")


class ClaimsError(Exception):
    """A claims file that cannot be used; the message names the file."""


@cache
def load(path: Path) -> dict[str, dict]:
    """Claim id -> {id, topic, claim, note, where[, uncovered]}, in the notes' order.

    `claim` is the English paraphrase; `where` is the note's own sentence it paraphrases.
    """
    return {c["id"]: c for c in _read(path)["claims"]}


@cache
def note_titles(path: Path) -> dict[str, str]:
    """Note file -> the note's own title (its first line), from the claims file's "notes" table.

    A note the table does not name is titled by its file name.
    """
    titles = _read(path).get("notes", {})
    if not isinstance(titles, dict) or not all(isinstance(t, str) for t in titles.values()):
        raise ClaimsError(f'{path}: "notes" must map each note file to its title')
    return titles


@cache
def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClaimsError(f"{path}: claims file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ClaimsError(f"{path}: not a readable claims file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
        raise ClaimsError(f'{path}: not a claims file (expected {{"claims": [...]}})')
    return data


def check(args: tuple, kwargs: dict, known: dict[str, dict] | None = None) -> tuple[str, str]:
    """(id, verdict) of a `claim` marker, or ValueError saying what is wrong with it.

    With `known` (the project's claims), the id must be one of them.
    """
    if len(args) != 1 or set(kwargs) != {"verdict"}:
        raise ValueError('write @pytest.mark.claim("S2-017", verdict="false")')
    claim_id, verdict = args[0], kwargs["verdict"]
    if known is not None and claim_id not in known:
        raise ValueError(f"unknown claim id {claim_id!r} (not in the project's claims file)")
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r} for {claim_id} (use one of {', '.join(VERDICTS)})")
    return claim_id, verdict
