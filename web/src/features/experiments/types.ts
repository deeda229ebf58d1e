// The experiment API's shapes (src/benchstudio/experiments/schemas.py), as the generated client
// types them.
import type { components } from '@/api/schema'

export type ExperimentOut = components['schemas']['ExperimentOut']
export type ExperimentDetail = components['schemas']['ExperimentDetail']
export type ExperimentPage = components['schemas']['ExperimentPage']
export type ExperimentCreate = components['schemas']['ExperimentCreate']
export type ExperimentUpdate = components['schemas']['ExperimentUpdate']
export type ExperimentResult = components['schemas']['ExperimentResultOut']
export type BestVsBaseline = components['schemas']['BestVsBaselineOut']
export type ResultKind = ExperimentResult['kind']
