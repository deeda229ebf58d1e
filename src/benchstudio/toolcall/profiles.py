"""Scoring profiles: `bfcl` (BFCL's verdicts), `strict` and `lenient` (the default).

| rule                               | bfcl                 | strict      | lenient           |
|------------------------------------|----------------------|-------------|-------------------|
| verdict                            | BFCL's AST checker   | our engine  | our engine        |
| default argument match             | bfcl                 | exact       | fuzzy, threshold 1|
| numeric strings ("3" for 3)        | no                   | no          | yes               |
| pairing of parallel calls          | greedy first-fit     | maximum     | maximum           |
| optional schema argument not in    | fail                 | fail        | allowed if schema |
|   the expectations                 |                      |             |   valid           |
| arguments must satisfy the schema  | no (BFCL's types)    | yes         | no (reported)     |
| calls recovered from text content  | no call              | fail        | accepted          |
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

from benchstudio.toolcall.matching import MatchSettings, SemanticLookup
from benchstudio.toolcall.schemas import MatchMode


class ProfileName(StrEnum):
    BFCL = "bfcl"
    STRICT = "strict"
    LENIENT = "lenient"


@dataclass(frozen=True, slots=True)
class Profile:
    name: ProfileName
    match: MatchSettings
    pairing: Literal["greedy", "maximum"]
    bfcl_verdict: bool
    allow_schema_optional_extras: bool
    require_schema_valid: bool
    recover_from_text: bool
    accept_recovered_calls: bool


_PROFILES = {
    ProfileName.BFCL: Profile(
        name=ProfileName.BFCL,
        match=MatchSettings(default_mode=MatchMode.BFCL),
        pairing="greedy",
        bfcl_verdict=True,
        allow_schema_optional_extras=False,
        require_schema_valid=False,
        recover_from_text=False,
        accept_recovered_calls=False,
    ),
    ProfileName.STRICT: Profile(
        name=ProfileName.STRICT,
        match=MatchSettings(default_mode=MatchMode.EXACT),
        pairing="maximum",
        bfcl_verdict=False,
        allow_schema_optional_extras=False,
        require_schema_valid=True,
        recover_from_text=True,
        accept_recovered_calls=False,
    ),
    ProfileName.LENIENT: Profile(
        name=ProfileName.LENIENT,
        match=MatchSettings(
            default_mode=MatchMode.FUZZY, fuzzy_threshold=1.0, coerce_numeric_strings=True
        ),
        pairing="maximum",
        bfcl_verdict=False,
        allow_schema_optional_extras=True,
        require_schema_valid=False,
        recover_from_text=True,
        accept_recovered_calls=True,
    ),
}

DEFAULT_PROFILE = ProfileName.LENIENT


def get_profile(
    name: ProfileName | str = DEFAULT_PROFILE,
    semantic_lookup: SemanticLookup | None = None,
    semantic_threshold: float | None = None,
) -> Profile:
    """A profile by name, with an optional similarity lookup for `semantic` arguments."""
    profile = _PROFILES[ProfileName(name)]
    if semantic_lookup is None:
        return profile
    return with_semantic(profile, semantic_lookup, semantic_threshold)


def with_semantic(
    profile: Profile, lookup: SemanticLookup, threshold: float | None = None
) -> Profile:
    """The profile whose `semantic` arguments read similarities from `lookup`."""
    match = replace(profile.match, semantic_lookup=lookup)
    if threshold is not None:
        match = replace(match, semantic_threshold=threshold)
    return replace(profile, match=match)
