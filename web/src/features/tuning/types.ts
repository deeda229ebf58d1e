// The tuner's API shapes (src/benchstudio/tuning/schemas), from the generated client.
import type { components } from '@/api/schema'

type Schemas = components['schemas']

export type ChoiceValue = Schemas['ChoiceDimensionIn']['choices'][number]
export type ConditionIn = Schemas['ConditionIn']
export type RangeDimensionIn = Schemas['RangeDimensionIn']
export type ChoiceDimensionIn = Schemas['ChoiceDimensionIn']
export type DimensionIn = RangeDimensionIn | ChoiceDimensionIn
export type SearchSpaceIn = Schemas['SearchSpaceIn']
/** A dimension as the server reports it (vendor presets, the validated space). */
export type DimensionOut = Schemas['DimensionOut']
export type SpaceAdjustment = Schemas['SpaceAdjustmentOut']
export type SpaceAction = SpaceAdjustment['action']
export type ValidatedSpace = Schemas['ValidatedSpaceOut']
export type VendorPreset = Schemas['VendorPresetOut']
export type SpacePreset = Schemas['SpacePresetOut']
export type SpacePresetIn = Schemas['SpacePresetIn']
export type StrategyKind = Schemas['StrategyIn']['kind']
export type ToolMetric = Schemas['ObjectiveIn']['metric']
export type ProfileName = Schemas['ProfileName']
export type EvalTargetIn = Schemas['EvalTargetIn']
export type TunerRunCreate = Schemas['TunerRunCreate']
export type TunerEstimate = Schemas['TunerEstimateOut']
export type TunerRun = Schemas['TunerRunOut']
export type TunerStatus = TunerRun['status']
export type TunerRunPage = Schemas['TunerRunPage']
export type TunerSubmitted = Schemas['TunerSubmitted']
