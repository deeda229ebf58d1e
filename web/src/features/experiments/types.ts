// The experiment API's shapes (src/benchstudio/experiments/schemas.py), from the generated
// client types. The (low, high) interval is read as openapi-fetch returns it: an array.
import type { components } from '@/api/schema'

type Schemas = components['schemas']

export type ExperimentOut = Schemas['ExperimentOut']
export type ExperimentPage = Schemas['ExperimentPage']
export type ExperimentCreate = Schemas['ExperimentCreate']
export type ExperimentUpdate = Schemas['ExperimentUpdate']
export type ExperimentResult = Schemas['ExperimentResultOut']
export type ResultKind = ExperimentResult['kind']
export type BestVsBaseline = Omit<Schemas['BestVsBaselineOut'], 'ci95'> & {
  ci95: number[] | null
}
export type ExperimentDetail = Omit<Schemas['ExperimentDetail'], 'comparison'> & {
  comparison: BestVsBaseline | null
}
