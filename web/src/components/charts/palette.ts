// Series colours readable on the light and the dark theme alike.
export const SERIES_COLORS = [
  '#6366f1',
  '#10b981',
  '#f59e0b',
  '#ef4444',
  '#06b6d4',
  '#a855f7',
  '#84cc16',
  '#ec4899',
]

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length] ?? '#6366f1'
}

export const AXIS_COLOR = '#64748b'
export const GRID_COLOR = 'rgba(148, 163, 184, 0.2)'
