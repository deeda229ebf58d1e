"""Pairing the model's calls with the expected calls.

Each (expected, call) pair has a `PairScore` (None when the names differ). Three strategies:
greedy first-fit (BFCL's), maximum matching (most passing pairs, then most same-name pairs,
then best argument accuracy), and an order-preserving alignment for `ordered` cases.
"""

from __future__ import annotations

from dataclasses import dataclass

Pairing = list[int | None]  # per expected call, the index of the model call paired with it


@dataclass(frozen=True, slots=True)
class PairScore:
    passed: bool
    argument_fraction: float  # 0..1, share of this call's arguments that are right

    @property
    def weight(self) -> int:
        # Lexicographic: passing pairs first, then any same-name pair, then argument accuracy.
        return (1_000_000 if self.passed else 0) + 1_000 + round(self.argument_fraction * 999)


ScoreMatrix = list[list[PairScore | None]]  # [expected][call]


def greedy_first_fit(scores: ScoreMatrix, call_count: int) -> Pairing:
    """BFCL's rule: each expected call, in order, takes the first unused call that passes.
    Expected calls left over then take the first unused same-name call (for the metrics)."""
    used: set[int] = set()
    pairing: Pairing = [None] * len(scores)
    for passing_only in (True, False):
        for position, row in enumerate(scores):
            if pairing[position] is not None:
                continue
            for index in range(call_count):
                score = row[index]
                if index in used or score is None or (passing_only and not score.passed):
                    continue
                pairing[position] = index
                used.add(index)
                break
    return pairing


def maximum_matching(scores: ScoreMatrix, call_count: int) -> Pairing:
    """Maximum-weight bipartite matching (Hungarian algorithm) over compatible pairs."""
    if not scores or call_count == 0:
        return [None] * len(scores)
    import numpy as np
    from scipy.optimize import linear_sum_assignment  # lazy: only needed when scoring

    weights = np.zeros((len(scores), call_count), dtype=np.int64)
    for position, row in enumerate(scores):
        for index, score in enumerate(row):
            if score is not None:
                weights[position, index] = score.weight
    rows, cols = linear_sum_assignment(weights, maximize=True)
    pairing: Pairing = [None] * len(scores)
    for position, index in zip(rows.tolist(), cols.tolist(), strict=True):
        if scores[position][index] is not None:
            pairing[position] = index
    return pairing


def ordered_alignment(scores: ScoreMatrix, call_count: int) -> Pairing:
    """Best pairing whose call indices increase with the expected order (weighted LCS)."""
    rows = len(scores)
    best = [[0] * (call_count + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(call_count - 1, -1, -1):
            score = scores[i][j]
            take = score.weight + best[i + 1][j + 1] if score is not None else -1
            best[i][j] = max(best[i + 1][j], best[i][j + 1], take)
    pairing: Pairing = [None] * rows
    i = j = 0
    while i < rows and j < call_count:
        score = scores[i][j]
        if score is not None and best[i][j] == score.weight + best[i + 1][j + 1]:
            pairing[i] = j
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairing


def is_in_order(pairing: Pairing) -> bool:
    """True when the paired call indices increase with the expected order."""
    indices = [index for index in pairing if index is not None]
    return indices == sorted(indices)
