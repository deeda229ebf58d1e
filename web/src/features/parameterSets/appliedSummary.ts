// The parameter set a run's target ran with, in one compact line: its name and the values it
// applied ("Creative · temperature 0.9, top_p 0.95"). The values are the ones stored with the
// run (explicit request values won over the set's, so they are not among them).

export interface TargetWithSet {
  /** The model as the run names it. */
  model: string
  parameter_set_name?: string | null
  parameter_set_params?: Record<string, unknown> | null
}

export interface AppliedSetLine {
  model: string
  text: string
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** "Creative · temperature 0.9, top_p 0.95"; "Creative · nothing applied" when every value was overridden. */
export function appliedSetText(
  name: string,
  params: Record<string, unknown> | null | undefined,
): string {
  const values = Object.entries(params ?? {}).map(([key, value]) => `${key} ${shown(value)}`)
  return `${name} · ${values.length > 0 ? values.join(', ') : 'nothing applied'}`
}

/** One line per target that ran with a parameter set, in the run's target order. */
export function appliedSetLines(targets: TargetWithSet[]): AppliedSetLine[] {
  return targets.flatMap((target) =>
    target.parameter_set_name
      ? [
          {
            model: target.model,
            text: appliedSetText(target.parameter_set_name, target.parameter_set_params),
          },
        ]
      : [],
  )
}
