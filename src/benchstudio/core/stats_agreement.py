"""Agreement and preference statistics: part of the one stats module (re-exported by `stats`).

Definitions (stated so that every surface agrees to the digit):
- Cohen's kappa compares two raters on pass vs not-pass: ``kappa = (po - pe) / (1 - pe)`` with
  ``po`` the observed agreement and ``pe`` the agreement expected from the raters' marginals.
  When ``pe`` is 1 (both raters gave every case the same single label) kappa is *undefined*:
  ``kappa`` is None and ``undefined_reason`` says why. It is never NaN and never an error.
- The judge-vs-automated table is 3 x 2 (judge pass / marginal / fail by automated pass /
  not-pass); for kappa a judge's *marginal* counts as not-pass.
- A comparative win rate counts ties half: ``(wins + ties / 2) / n``. Its 95% interval is the
  Wilson score interval of that rate over ``n`` cases. Each case scores 0, 1/2 or 1, and any
  score in [0, 1] with mean p has variance at most p(1 - p), which is the variance Wilson
  assumes; so with ties the interval is conservative (a little wide), without ties it is the
  usual Wilson interval, and unlike a t interval on the per-case scores it keeps a sensible
  width when every case is a win (or a loss).
- The position-inconsistency rate is the share of cases whose two orders disagreed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

JudgeVerdict = Literal["pass", "marginal", "fail"]
JUDGE_VERDICTS: tuple[JudgeVerdict, ...] = ("pass", "marginal", "fail")
_LEVEL = 0.95


@dataclass(frozen=True, slots=True)
class Kappa:
    """Cohen's kappa for two raters on a pass / not-pass label."""

    kappa: float | None  # None when undefined (see undefined_reason)
    observed_agreement: float | None  # None when there are no cases
    expected_agreement: float | None
    n: int
    undefined_reason: str | None = None


def cohen_kappa(
    both_pass: int, first_only_pass: int, second_only_pass: int, neither_pass: int
) -> Kappa:
    """Kappa from a 2 x 2 table of counts (first rater's label by the second rater's)."""
    cells = (both_pass, first_only_pass, second_only_pass, neither_pass)
    if any(cell < 0 for cell in cells):
        raise ValueError("counts cannot be negative")
    n = sum(cells)
    if n == 0:
        return Kappa(None, None, None, 0, "no cases to compare")
    first_pass = both_pass + first_only_pass
    second_pass = both_pass + second_only_pass
    agree = both_pass + neither_pass
    # Integer arithmetic for the undefined test: pe == 1 exactly, no float rounding.
    expected_scaled = first_pass * second_pass + (n - first_pass) * (n - second_pass)
    observed = agree / n
    expected = expected_scaled / (n * n)
    if expected_scaled == n * n:
        label = "pass" if first_pass == n else "not-pass"
        reason = f"both raters labelled every case {label}, so chance agreement is 1"
        return Kappa(None, observed, expected, n, reason)
    return Kappa((observed - expected) / (1 - expected), observed, expected, n)


@dataclass(frozen=True, slots=True)
class AgreementTable:
    """Judge verdict (pass / marginal / fail) by automated verdict (pass / not-pass)."""

    counts: dict[JudgeVerdict, tuple[int, int]]  # verdict -> (automated pass, automated not)

    @property
    def n(self) -> int:
        return sum(a + b for a, b in self.counts.values())

    def kappa(self) -> Kappa:
        """Kappa on pass vs not-pass; the judge's marginal counts as not-pass."""
        judge_pass_auto_pass, judge_pass_auto_not = self.counts["pass"]
        not_pass_rows = [self.counts["marginal"], self.counts["fail"]]
        judge_not_auto_pass = sum(row[0] for row in not_pass_rows)
        judge_not_auto_not = sum(row[1] for row in not_pass_rows)
        return cohen_kappa(
            judge_pass_auto_pass, judge_pass_auto_not, judge_not_auto_pass, judge_not_auto_not
        )


def agreement_table(pairs: Iterable[tuple[JudgeVerdict, bool]]) -> AgreementTable:
    """The 3 x 2 table from (judge verdict, automated passed) pairs, one per case."""
    counts = {verdict: [0, 0] for verdict in JUDGE_VERDICTS}
    for verdict, automated_passed in pairs:
        if verdict not in counts:
            raise ValueError(f"unknown judge verdict {verdict!r}")
        counts[verdict][0 if automated_passed else 1] += 1
    return AgreementTable({verdict: (row[0], row[1]) for verdict, row in counts.items()})


def wilson_bounds(rate: float, total: int, level: float = _LEVEL) -> tuple[float, float]:
    """Wilson score bounds for a proportion `rate` (may be fractional) over `total` cases."""
    if total <= 0 or not 0.0 <= rate <= 1.0:
        raise ValueError("need total > 0 and 0 <= rate <= 1")
    z = NormalDist().inv_cdf(0.5 + level / 2)
    denominator = 1 + z * z / total
    centre = (rate + z * z / (2 * total)) / denominator
    half = z * math.sqrt(rate * (1 - rate) / total + z * z / (4 * total * total)) / denominator
    low = 0.0 if rate == 0.0 else max(0.0, centre - half)
    high = 1.0 if rate == 1.0 else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True, slots=True)
class WinRate:
    """A comparative result for side A: wins, ties, losses, the rate and its interval."""

    wins: int
    ties: int
    losses: int
    inconsistent: int  # cases whose two orders disagreed (each counted as a tie)
    rate: float | None  # (wins + ties / 2) / n; None with no cases
    ci95: tuple[float, float] | None
    inconsistency_rate: float | None

    @property
    def n(self) -> int:
        return self.wins + self.ties + self.losses


def win_rate(wins: int, ties: int, losses: int, inconsistent: int = 0) -> WinRate:
    """Win rate with ties counted half, its Wilson 95% interval, and the inconsistency rate."""
    if min(wins, ties, losses, inconsistent) < 0:
        raise ValueError("counts cannot be negative")
    if inconsistent > ties:
        raise ValueError("an inconsistent case counts as a tie, so it cannot exceed ties")
    n = wins + ties + losses
    if n == 0:
        return WinRate(0, 0, 0, 0, None, None, None)
    rate = (wins + ties / 2) / n
    return WinRate(wins, ties, losses, inconsistent, rate, wilson_bounds(rate, n), inconsistent / n)


def position_inconsistency_rate(inconsistent: int, total: int) -> float | None:
    """Share of cases whose two orders disagreed; None with no cases."""
    if total < 0 or not 0 <= inconsistent <= total:
        raise ValueError("need 0 <= inconsistent <= total")
    return inconsistent / total if total else None
