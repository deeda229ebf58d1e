// How jobs are named on screen.
const TYPE_NAMES: Record<string, string> = {
  'demo.units': 'Demo job',
  benchmark: 'Benchmark',
  'speed.benchmark': 'Benchmark',
  'toolcall.eval': 'Tool-calling eval',
  tune: 'Tuner run',
}

export function jobTypeName(type: string): string {
  return TYPE_NAMES[type] ?? type.replace(/[._-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase())
}
