// The tuner run API's shapes as the results page reads them (src/benchstudio/tuning/schemas/
// runs.py), from the generated client types.
import type { components } from '@/api/schema'

type Schemas = components['schemas']

export type Interval = Schemas['IntervalOut']
export type Trial = Schemas['TrialOut']
export type TrialKind = Trial['kind']
export type TrialState = Trial['state']
export type TunerRun = Schemas['TunerRunOut']
export type TunerStatus = TunerRun['status']
export type BaselineComparison = Schemas['BaselineComparisonOut']
export type Importance = Schemas['ImportanceOut']
export type TunerResults = Schemas['TunerResultsOut']
export type TunerRunDetail = Schemas['TunerRunDetail']
export type ApplyBestIn = Schemas['ApplyBestIn']
export type ApplyBestOut = Schemas['ApplyBestOut']
