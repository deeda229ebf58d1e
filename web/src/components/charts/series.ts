export interface ChartSeries {
  label: string
  /** Plain values (against `labels`) or x/y points for scatter and numeric-x lines. */
  data: number[] | { x: number; y: number }[]
  /** One tooltip line per data point, instead of Chart.js's "label: (x, y)". */
  tooltips?: string[]
  /** Scatter: join the points with a line (e.g. a Pareto front). */
  showLine?: boolean
  pointStyle?: 'circle' | 'triangle' | 'rectRot'
}
