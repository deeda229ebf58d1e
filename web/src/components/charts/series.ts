export interface ChartSeries {
  label: string
  /** Plain values (against `labels`) or x/y points for scatter and numeric-x lines. */
  data: number[] | { x: number; y: number }[]
}
