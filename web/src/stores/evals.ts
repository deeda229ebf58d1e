// Tool-calling evals: the user's suites (list, detail, imports, edits) and eval runs (submit,
// detail with per-model summaries, case rows, drill-down).
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'

export type SuiteOut = components['schemas']['SuiteOut']
export type SuiteDetail = components['schemas']['SuiteDetail']
export type SuiteTool = components['schemas']['Tool']
export type EvalCreate = components['schemas']['EvalCreate']
export type EvalRunOut = components['schemas']['EvalRunOut']
export type CaseRow = components['schemas']['CaseResultRow']
export type CaseDetail = components['schemas']['CaseResultDetail']
export type ModelSummary = EvalRunDetail['summaries'][string]
export type ProfileName = components['schemas']['ProfileName']

const suitePath = (suite_id: string) => ({ params: { path: { suite_id } } })
const runPath = (eval_run_id: string) => ({ params: { path: { eval_run_id } } })

async function fetchRun(id: string) {
  return unwrap(api.GET('/api/evals/{eval_run_id}', runPath(id)))
}

/** As the client returns it (openapi-fetch's view of the summaries' intervals). */
export type EvalRunDetail = Awaited<ReturnType<typeof fetchRun>>

function formOf(fields: Record<string, Blob | string | null | undefined>): FormData {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) {
    if (value !== null && value !== undefined && value !== '') form.append(name, value)
  }
  return form
}

export const useEvalsStore = defineStore('evals', () => {
  const suites = ref<SuiteOut[]>([])
  const suitesTotal = ref(0)
  const runs = ref<EvalRunOut[]>([])
  const suite = ref<SuiteDetail | null>(null)
  // shallowRef: a deep ref would widen the summaries' [low, high] tuples to arrays.
  const run = shallowRef<EvalRunDetail | null>(null)
  const cases = ref<CaseRow[]>([])

  async function loadSuites(): Promise<void> {
    const page = await unwrap(api.GET('/api/suites', { params: { query: { limit: 100 } } }))
    suites.value = page.items
    suitesTotal.value = page.total
  }

  async function loadRuns(suiteId?: string): Promise<void> {
    const query = { limit: 20, ...(suiteId ? { suite_id: suiteId } : {}) }
    runs.value = (await unwrap(api.GET('/api/evals', { params: { query } }))).items
  }

  async function copySample(): Promise<SuiteOut> {
    const created = await unwrap(api.POST('/api/suites/sample'))
    await loadSuites()
    return created
  }

  /** Multipart uploads: the generated body types describe the form fields as strings. */
  async function importFile(file: File): Promise<SuiteOut> {
    const form = formOf({ file })
    const created = await unwrap(api.POST('/api/suites/import', { body: { file: '' }, bodySerializer: () => form }))
    await loadSuites()
    return created
  }

  async function importBfcl(questions: File, answers: File | null, name: string): Promise<void> {
    const form = formOf({ questions, answers, name })
    await unwrap(api.POST('/api/suites/import/bfcl', { body: { questions: '' }, bodySerializer: () => form }))
    await loadSuites()
  }

  async function loadSuite(id: string): Promise<SuiteDetail> {
    suite.value = await unwrap(api.GET('/api/suites/{suite_id}', suitePath(id)))
    return suite.value
  }

  async function saveTools(id: string, tools: SuiteTool[]): Promise<void> {
    await unwrap(api.PATCH('/api/suites/{suite_id}', { ...suitePath(id), body: { tools } }))
    await loadSuite(id)
  }

  async function removeCase(id: string, caseId: string): Promise<void> {
    await unwrap(api.DELETE('/api/suites/{suite_id}/cases/{suite_case_id}', { params: { path: { suite_id: id, suite_case_id: caseId } } }))
    await loadSuite(id)
  }

  async function archiveSuite(id: string): Promise<void> {
    await unwrap(api.DELETE('/api/suites/{suite_id}', suitePath(id)))
    await loadSuites()
  }

  async function submit(body: EvalCreate): Promise<components['schemas']['EvalSubmitted']> {
    return unwrap(api.POST('/api/evals', { body }))
  }

  async function loadRun(id: string): Promise<EvalRunDetail> {
    const detail = await fetchRun(id)
    const query = { limit: 500 }
    const page = await unwrap(api.GET('/api/evals/{eval_run_id}/cases', { params: { path: { eval_run_id: id }, query } }))
    run.value = detail
    cases.value = page.items
    return detail
  }

  async function loadCase(runId: string, resultId: string): Promise<CaseDetail> {
    return unwrap(api.GET('/api/evals/{eval_run_id}/cases/{case_result_id}', { params: { path: { eval_run_id: runId, case_result_id: resultId } } }))
  }

  return { suites, suitesTotal, runs, suite, run, cases, loadSuites, loadRuns, copySample, importFile, importBfcl, loadSuite, saveTools, removeCase, archiveSuite, submit, loadRun, loadCase }
})
