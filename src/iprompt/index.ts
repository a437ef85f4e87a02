/** iPrompt: the search, its options and its data preparation. Imports no runtime. */
export { explainDataset, type ExplainOptions } from './explain.ts';
export { startSearch, SearchRun } from './search.ts';
export type { ExplainResult, ExplainMetadata, RankedPrompt, SearchEvent, StepEvent, ScoredCandidate, PoolSnapshot, Baseline, DatasetSizes, StopReason, RankingPhase, SearchCheckpoint } from './types.ts';
export type { RunState, SearchHooks } from './runControl.ts';
export type { Explanation, ExplanationVariant, Evidence, EvalExample, Measured, Verdict } from './explanations.ts';
export { exportResult } from './exportResult.ts';
export { scoreDescriptions, DescribeError, type DescribeRun } from './describe.ts';
export type { Interval } from './stats.ts';
export { DEFAULT_OPTIONS, DEVIATIONS, OPTION_DOCS, resolveOptions, OptionsError } from './options.ts';
export { sampleProposals } from './proposals.ts';
export { cutTokens, scoringContext, scoringText, type TemplateOptions, type CutSide } from './template.ts';
export { PRESETS, type PresetName } from './presets.ts';
export { plannedSteps } from './data.ts';
export type { IPromptOptions, IPromptOptionsInput, PopCriterion, PopTopkStrategy, Deviation } from './options.ts';
export { DataError, stripOutputString } from './data.ts';
export type { SearchLanguageModel, ScoreRequest, ScoreResult, ProposalOptions, ScoreOptions } from './languageModel.ts';
export { planWork, planSeconds, type WorkPlan, type Work, type Speed } from './workPlan.ts';
