// The multi-turn settings of a case as editor state. The runner drives the model in rounds: each
// round it answers every tool call with a mock — the first mock for that tool whose
// `when_arguments` are contained in the call's arguments, else that tool's unconditional mock,
// else the default response (toolcall/multiturn.py `mock_result`). It stops when the model
// answers without a call, or fails the case past `max_rounds`.
import {
  DEFAULT_MAX_ROUNDS,
  DEFAULT_TOOL_RESULT,
  type MockResponse,
  type MultiTurnSettings,
} from './caseNormal'
import { parseValueForm, type ValueForm, valueFormOf } from './valueForm'

export interface WhenForm {
  name: string
  value: ValueForm
}

export interface MockForm {
  tool: string
  /** Off: answers every call of the tool (`when_arguments` null). */
  conditional: boolean
  when: WhenForm[]
  resultText: string
}

export interface MultiTurnForm {
  maxRounds: string
  optimalHops: string
  mocks: MockForm[]
  defaultResponseText: string
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2)
}

export function mockToForm(mock: MockResponse): MockForm {
  const when = mock.when_arguments ?? null
  return {
    tool: mock.tool,
    conditional: when !== null,
    when: Object.entries(when ?? {}).map(([name, value]) => ({ name, value: valueFormOf(value) })),
    resultText: pretty(mock.result ?? null),
  }
}

export function multiTurnToForm(settings: MultiTurnSettings): MultiTurnForm {
  return {
    maxRounds: String(settings.max_rounds ?? DEFAULT_MAX_ROUNDS),
    optimalHops:
      settings.optimal_hops === null || settings.optimal_hops === undefined
        ? ''
        : String(settings.optimal_hops),
    mocks: (settings.mock_responses ?? []).map(mockToForm),
    defaultResponseText: pretty(
      settings.default_response === undefined ? DEFAULT_TOOL_RESULT : settings.default_response,
    ),
  }
}

export function mockFromForm(form: MockForm): MockResponse {
  const when = form.conditional
    ? Object.fromEntries(
        form.when.map((entry) => {
          const parsed = parseValueForm(entry.value)
          return [entry.name, parsed.ok ? parsed.value : null]
        }),
      )
    : null
  return { tool: form.tool, when_arguments: when, result: JSON.parse(form.resultText) as unknown }
}

export function multiTurnFromForm(form: MultiTurnForm): MultiTurnSettings {
  return {
    max_rounds: Number(form.maxRounds),
    optimal_hops: form.optimalHops.trim() === '' ? null : Number(form.optimalHops),
    mock_responses: form.mocks.map(mockFromForm),
    default_response: JSON.parse(form.defaultResponseText) as unknown,
  }
}

export function blankMultiTurn(): MultiTurnForm {
  return {
    maxRounds: String(DEFAULT_MAX_ROUNDS),
    optimalHops: '',
    mocks: [],
    defaultResponseText: pretty(DEFAULT_TOOL_RESULT),
  }
}

export function blankMock(tool: string): MockForm {
  return { tool, conditional: false, when: [], resultText: pretty(DEFAULT_TOOL_RESULT) }
}
