// LLM-as-judge: reports over eval results (per-case verdicts, comparisons, cross-case reports),
// their cost estimates, reviews of disagreements, the per-run verdict policy and the agreement
// of each judge across reports.
import { defineStore } from 'pinia'
import { ref } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'

export type JudgeCasesIn = components['schemas']['JudgeCasesIn']
export type JudgeCompareIn = components['schemas']['JudgeCompareIn']
export type JudgeCrossCaseIn = components['schemas']['JudgeCrossCaseIn']
export type JudgeEstimate = components['schemas']['JudgeEstimateOut']
export type JudgeSubmitted = components['schemas']['JudgeSubmitted']
export type JudgeReport = components['schemas']['JudgeReportOut']
export type JudgeReportDetail = components['schemas']['JudgeReportDetail']
export type CaseJudgement = components['schemas']['CaseJudgementOut']
export type PairJudgement = components['schemas']['PairJudgementOut']
export type JudgeAgreementRow = components['schemas']['JudgeAgreementRow']
export type PolicyOut = components['schemas']['PolicyOut']
export type VerdictPolicy = components['schemas']['PolicyIn']['verdict_policy']
export type Review = components['schemas']['ReviewIn']['review']
export type CasesFilter = 'disagreements' | 'failed' | 'parse_failures'

const reportPath = (report_id: string) => ({ params: { path: { report_id } } })

export const useJudgeStore = defineStore('judge', () => {
  /** The reports of the eval run page being shown (every kind, every version). */
  const runReports = ref<JudgeReport[]>([])

  async function loadRunReports(evalRunId: string): Promise<JudgeReport[]> {
    runReports.value = await unwrap(
      api.GET('/api/judge/reports', { params: { query: { eval_run_id: evalRunId } } }),
    )
    return runReports.value
  }

  function listReports(query: {
    eval_run_id?: string
    kind?: JudgeReport['kind']
  }): Promise<JudgeReport[]> {
    return unwrap(api.GET('/api/judge/reports', { params: { query } }))
  }

  function estimate(body: JudgeCasesIn): Promise<JudgeEstimate> {
    return unwrap(api.POST('/api/judge/estimate', { body }))
  }

  function startCases(body: JudgeCasesIn): Promise<JudgeSubmitted> {
    return unwrap(api.POST('/api/judge/runs', { body }))
  }

  function startComparison(body: JudgeCompareIn): Promise<JudgeSubmitted> {
    return unwrap(api.POST('/api/judge/comparisons', { body }))
  }

  function startCrossCase(body: JudgeCrossCaseIn): Promise<JudgeSubmitted> {
    return unwrap(api.POST('/api/judge/reports', { body }))
  }

  function loadReport(id: string): Promise<JudgeReportDetail> {
    return unwrap(api.GET('/api/judge/reports/{report_id}', reportPath(id)))
  }

  function loadCases(id: string, only?: CasesFilter): Promise<CaseJudgement[]> {
    return unwrap(
      api.GET('/api/judge/reports/{report_id}/cases', {
        params: { path: { report_id: id }, query: only ? { only } : {} },
      }),
    )
  }

  function loadPairs(id: string): Promise<PairJudgement[]> {
    return unwrap(api.GET('/api/judge/reports/{report_id}/pairs', reportPath(id)))
  }

  async function review(id: string, caseId: string, value: Review): Promise<void> {
    await unwrap(
      api.PUT('/api/judge/reports/{report_id}/cases/{case_id}/review', {
        params: { path: { report_id: id, case_id: caseId } },
        body: { review: value },
      }),
    )
  }

  async function deleteReport(id: string): Promise<void> {
    await unwrap(api.DELETE('/api/judge/reports/{report_id}', reportPath(id)))
    runReports.value = runReports.value.filter((r) => r.id !== id)
  }

  /** Why the scorer failed a case: its row in the eval run (for the side-by-side view). */
  async function automatedRow(evalRunId: string, target: string, caseId: string) {
    const page = await unwrap(
      api.GET('/api/evals/{eval_run_id}/cases', {
        params: { path: { eval_run_id: evalRunId }, query: { target, limit: 500 } },
      }),
    )
    return page.items.find((row) => row.case_id === caseId) ?? null
  }

  function loadAgreement(): Promise<JudgeAgreementRow[]> {
    return unwrap(api.GET('/api/judge/agreement'))
  }

  function loadPolicy(evalRunId: string): Promise<PolicyOut> {
    return unwrap(
      api.GET('/api/judge/runs/{eval_run_id}/policy', {
        params: { path: { eval_run_id: evalRunId } },
      }),
    )
  }

  function savePolicy(evalRunId: string, policy: VerdictPolicy): Promise<PolicyOut> {
    return unwrap(
      api.PUT('/api/judge/runs/{eval_run_id}/policy', {
        params: { path: { eval_run_id: evalRunId } },
        body: { verdict_policy: policy },
      }),
    )
  }

  return {
    runReports,
    loadRunReports,
    listReports,
    estimate,
    startCases,
    startComparison,
    startCrossCase,
    loadReport,
    loadCases,
    loadPairs,
    review,
    deleteReport,
    automatedRow,
    loadAgreement,
    loadPolicy,
    savePolicy,
  }
})
