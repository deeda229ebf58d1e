// Binning for the distribution charts. The bin count follows the square-root rule, capped so
// that a chart on a laptop screen keeps readable bars.
export interface Histogram {
  /** Each bin's lower edge, formatted for the axis. */
  labels: string[]
  counts: number[]
  binWidth: number
}

export const MAX_BINS = 30

function roundEdge(value: number, width: number): string {
  const digits = width >= 10 ? 0 : width >= 1 ? 1 : 2
  return value.toFixed(digits)
}

export function histogram(values: number[], maxBins = MAX_BINS): Histogram {
  const finite = values.filter((v) => Number.isFinite(v))
  if (finite.length === 0) return { labels: [], counts: [], binWidth: 0 }
  const min = Math.min(...finite)
  const max = Math.max(...finite)
  const bins = max === min ? 1 : Math.min(maxBins, Math.max(1, Math.ceil(Math.sqrt(finite.length))))
  const width = max === min ? 1 : (max - min) / bins
  const counts = new Array<number>(bins).fill(0)
  for (const value of finite) {
    // The maximum belongs to the last bin, not to one past it.
    const index = Math.min(bins - 1, Math.floor((value - min) / width))
    counts[index] = (counts[index] ?? 0) + 1
  }
  const labels = counts.map((_, i) => roundEdge(min + i * width, width))
  return { labels, counts, binWidth: width }
}
