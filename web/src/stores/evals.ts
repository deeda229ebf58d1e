// Tool-calling evals: the user's suites (list, detail, imports, edits) and eval runs (submit,
// detail with per-model summaries, case rows, drill-down).
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'
import {
  attachmentFilename,
  type ExportFile,
  suiteFileFallback,
} from '@/features/tooleval/exportFiles'
import { countersAfter, withCaseEvents } from '@/features/tooleval/liveCases'
import { type SuiteSnapshot, type SuiteVersion } from '@/features/tooleval/suiteVersions'
import { useJobsStore } from '@/stores/jobs'

export type SuiteOut = components['schemas']['SuiteOut']
export type SuiteDetail = components['schemas']['SuiteDetail']
export type SuiteTool = components['schemas']['Tool']
export type EvalCreate = components['schemas']['EvalCreate']
export type EvalRunOut = components['schemas']['EvalRunOut']
export type CaseRow = components['schemas']['CaseResultRow']
export type CaseDetail = components['schemas']['CaseResultDetail']
export type ModelSummary = EvalRunDetail['summaries'][string]
export type ProfileName = components['schemas']['ProfileName']
export type SuiteCase = components['schemas']['TestCase-Output']
export type McpServer = components['schemas']['McpServerIn']
export type McpToolList = components['schemas']['McpToolList']
export type McpImportRequest = components['schemas']['McpImportIn']
export type McpImportResult = components['schemas']['McpImportOut']
/** As the client returns it: the difference's (low, high) interval reads as an array. */
export type Comparison = Omit<components['schemas']['ComparisonOut'], 'difference_ci95'> & {
  difference_ci95?: number[] | null
}

/** How often, at most, a running eval's per-model summaries are refetched. */
const LIVE_SUMMARY_REFRESH_MS = 3000

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

/** `?duplicate=allow` when the user chose to import content imported before as a copy. */
export function duplicateQuery(allow: boolean): { duplicate?: 'allow' } {
  return allow ? { duplicate: 'allow' } : {}
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

  /** A suite with no tools and no cases yet (they are added on its page). */
  async function createSuite(name: string, description: string): Promise<SuiteOut> {
    const body = { name, description, tools: [], cases: [] }
    const created = await unwrap(api.POST('/api/suites', { body }))
    await loadSuites()
    return created
  }

  async function renameSuite(id: string, name: string): Promise<SuiteDetail> {
    suite.value = await unwrap(
      api.PATCH('/api/suites/{suite_id}', { ...suitePath(id), body: { name } }),
    )
    return suite.value
  }

  /** Multipart uploads: the generated body types describe the form fields as strings.
   * `allowDuplicate` imports content imported before again (else a 409 names the first). */
  async function importFile(file: File, allowDuplicate = false): Promise<SuiteOut> {
    const form = formOf({ file })
    const created = await unwrap(
      api.POST('/api/suites/import', {
        params: { query: duplicateQuery(allowDuplicate) },
        body: { file: '' },
        bodySerializer: () => form,
      }),
    )
    await loadSuites()
    return created
  }

  async function importBfcl(
    questions: File,
    answers: File | null,
    name: string,
    allowDuplicate = false,
  ): Promise<SuiteOut> {
    const form = formOf({ questions, answers, name })
    const result = await unwrap(
      api.POST('/api/suites/import/bfcl', {
        params: { query: duplicateQuery(allowDuplicate) },
        body: { questions: '' },
        bodySerializer: () => form,
      }),
    )
    await loadSuites()
    return result.suite
  }

  async function loadSuite(id: string): Promise<SuiteDetail> {
    suite.value = await unwrap(api.GET('/api/suites/{suite_id}', suitePath(id)))
    return suite.value
  }

  async function saveTools(id: string, tools: SuiteTool[]): Promise<SuiteDetail> {
    suite.value = await unwrap(
      api.PATCH('/api/suites/{suite_id}', { ...suitePath(id), body: { tools } }),
    )
    return suite.value
  }

  /** Every case at once (an inline edit): one new version with the rest of the suite as is. */
  async function saveCases(id: string, cases: SuiteCase[]): Promise<SuiteDetail> {
    const current = suite.value?.id === id ? suite.value : await loadSuite(id)
    const { name, description, system_prompt, tools } = current.suite
    const body = {
      name,
      description: description ?? '',
      system_prompt: system_prompt ?? null,
      tools: tools ?? [],
      cases,
    }
    suite.value = await unwrap(api.PUT('/api/suites/{suite_id}', { ...suitePath(id), body }))
    return suite.value
  }

  async function addCase(id: string, testCase: SuiteCase): Promise<SuiteDetail> {
    suite.value = await unwrap(
      api.POST('/api/suites/{suite_id}/cases', { ...suitePath(id), body: { cases: [testCase] } }),
    )
    return suite.value
  }

  async function listMcpTools(server: McpServer): Promise<McpToolList> {
    return unwrap(api.POST('/api/suites/import/mcp/tools', { body: server }))
  }

  async function importMcp(
    request: McpImportRequest,
    allowDuplicate = false,
  ): Promise<McpImportResult> {
    const params = { query: duplicateQuery(allowDuplicate) }
    const result = await unwrap(api.POST('/api/suites/import/mcp', { params, body: request }))
    await loadSuites()
    return result
  }

  async function removeCase(id: string, caseId: string): Promise<void> {
    await unwrap(
      api.DELETE('/api/suites/{suite_id}/cases/{suite_case_id}', {
        params: { path: { suite_id: id, suite_case_id: caseId } },
      }),
    )
    await loadSuite(id)
  }

  async function archiveSuite(id: string): Promise<void> {
    await unwrap(api.DELETE('/api/suites/{suite_id}', suitePath(id)))
    await loadSuites()
  }

  /** Delete a finished eval run and its case results (a running one answers 409). */
  async function deleteRun(id: string): Promise<void> {
    await unwrap(api.DELETE('/api/evals/{eval_run_id}', runPath(id)))
    runs.value = runs.value.filter((r) => r.id !== id)
  }

  /** Newest first: the number, when it was saved, the change note and the case count. */
  async function loadVersions(id: string): Promise<SuiteVersion[]> {
    return unwrap(api.GET('/api/suites/{suite_id}/versions', suitePath(id)))
  }

  async function loadVersion(id: string, version: number): Promise<SuiteSnapshot> {
    return unwrap(
      api.GET('/api/suites/{suite_id}/versions/{suite_version}', {
        params: { path: { suite_id: id, suite_version: version } },
      }),
    )
  }

  /** Save an earlier version's content again: it becomes the newest version (none is lost). */
  async function restoreVersion(id: string, version: number): Promise<SuiteDetail> {
    const path = { suite_id: id, suite_version: version }
    suite.value = await unwrap(
      api.POST('/api/suites/{suite_id}/versions/{suite_version}/restore', { params: { path } }),
    )
    return suite.value
  }

  // Exports come as Blobs: the access token lives in memory, so a plain link would not work.
  /** The suite file (own JSON format, importable again) of a version, default the current one. */
  async function exportSuite(id: string, version?: number): Promise<ExportFile> {
    const pending = api.GET('/api/suites/{suite_id}/export', {
      params: { path: { suite_id: id }, query: version ? { version } : {} },
      parseAs: 'blob',
    })
    const blob = await unwrap(pending)
    const { response } = await pending
    const fallback = suiteFileFallback(
      suite.value?.id === id ? suite.value.name : 'suite',
      version ?? suite.value?.version ?? 1,
    )
    return {
      blob,
      filename: attachmentFilename(response.headers.get('Content-Disposition'), fallback),
    }
  }

  async function exportRun(id: string, format: 'json' | 'csv'): Promise<ExportFile> {
    const pending = api.GET('/api/evals/{eval_run_id}/export', {
      params: { path: { eval_run_id: id }, query: { format } },
      parseAs: 'blob',
    })
    const blob = await unwrap(pending)
    const { response } = await pending
    return {
      blob,
      filename: attachmentFilename(
        response.headers.get('Content-Disposition'),
        `eval-${id}.${format}`,
      ),
    }
  }

  async function submit(body: EvalCreate): Promise<components['schemas']['EvalSubmitted']> {
    return unwrap(api.POST('/api/evals', { body }))
  }

  async function loadRun(id: string): Promise<EvalRunDetail> {
    const detail = await fetchRun(id)
    const query = { limit: 500 }
    const page = await unwrap(
      api.GET('/api/evals/{eval_run_id}/cases', { params: { path: { eval_run_id: id }, query } }),
    )
    run.value = detail
    cases.value = page.items
    return detail
  }

  /** Run `other` (default: the same run) against `runId`, model `targetA` against `targetB`. */
  async function compare(
    runId: string,
    other: string | null,
    targetA: string | null,
    targetB: string | null,
  ): Promise<Comparison[]> {
    const query = {
      ...(other ? { other } : {}),
      ...(targetA ? { target_a: targetA } : {}),
      ...(targetB ? { target_b: targetB } : {}),
    }
    return unwrap(
      api.GET('/api/evals/{eval_run_id}/compare', {
        params: { path: { eval_run_id: runId }, query },
      }),
    )
  }

  /** A run and its case rows, without touching the live run page's state. */
  async function fetchRunWithCases(id: string): Promise<{ run: EvalRunDetail; cases: CaseRow[] }> {
    const [detail, page] = await Promise.all([
      fetchRun(id),
      unwrap(
        api.GET('/api/evals/{eval_run_id}/cases', {
          params: { path: { eval_run_id: id }, query: { limit: 500 } },
        }),
      ),
    ])
    return { run: detail, cases: page.items }
  }

  async function loadCase(runId: string, resultId: string): Promise<CaseDetail> {
    return unwrap(
      api.GET('/api/evals/{eval_run_id}/cases/{case_result_id}', {
        params: { path: { eval_run_id: runId, case_result_id: resultId } },
      }),
    )
  }

  // --- Following a running eval live (kept apart from the suite and compare code above) ---
  let summaryTimer: ReturnType<typeof setTimeout> | undefined

  /** The per-model summaries are computed on the server: refreshed at most this often. */
  function refreshSummariesSoon(runId: string): void {
    if (summaryTimer !== undefined) return
    summaryTimer = setTimeout(() => {
      summaryTimer = undefined
      fetchRun(runId)
        .then((detail) => {
          const current = run.value
          if (current?.id !== runId) return
          // Case events applied while the detail was on its way may be newer than it.
          run.value = {
            ...detail,
            finished_cases: Math.max(detail.finished_cases, current.finished_cases),
            passed_cases: Math.max(detail.passed_cases, current.passed_cases),
          }
        })
        .catch(() => undefined)
    }, LIVE_SUMMARY_REFRESH_MS)
  }

  /** Follow the loaded run's job: a case row and the counters from each event; returns the stop. */
  function followLive(runId: string, jobId: string): () => void {
    const stop = useJobsStore().subscribe(jobId, (events) => {
      const current = run.value
      if (current?.id !== runId) return
      cases.value = withCaseEvents(cases.value, events)
      const counted = countersAfter(current, events)
      if (counted !== current) {
        run.value = counted
        refreshSummariesSoon(runId)
      }
    })
    return () => {
      stop()
      clearTimeout(summaryTimer)
      summaryTimer = undefined
    }
  }
  // --- end of live following ---

  return {
    suites,
    suitesTotal,
    runs,
    suite,
    run,
    cases,
    followLive,
    loadSuites,
    loadRuns,
    copySample,
    createSuite,
    renameSuite,
    deleteRun,
    importFile,
    importBfcl,
    listMcpTools,
    importMcp,
    loadSuite,
    saveTools,
    saveCases,
    addCase,
    removeCase,
    archiveSuite,
    loadVersions,
    loadVersion,
    restoreVersion,
    exportSuite,
    exportRun,
    submit,
    loadRun,
    compare,
    fetchRunWithCases,
    loadCase,
  }
})
