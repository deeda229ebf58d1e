// A test case with every default written out, as the server returns it (Pydantic's full dump).
// The case editor produces this shape, so "what was entered" and "what is stored" compare equal.
import type { components } from '@/api/schema'

export type SuiteCase = components['schemas']['TestCase-Output']
export type ExpectedCall = components['schemas']['ExpectedCall-Output']
export type ArgumentExpectation = components['schemas']['ArgumentExpectation-Output']
export type ArgumentSource = components['schemas']['ArgumentSource']
export type MultiTurnSettings = NonNullable<SuiteCase['multi_turn']>
export type MockResponse = components['schemas']['MockResponse']
export type CaseTool = components['schemas']['Tool']

export const DEFAULT_CATEGORY = 'general'
export const DEFAULT_MAX_ROUNDS = 8
export const DEFAULT_TOOL_RESULT = { status: 'ok' }

export function normalArgument(arg: ArgumentExpectation): ArgumentExpectation {
  return {
    acceptable: arg.acceptable ?? [],
    objects: (arg.objects ?? []).map(normalArguments),
    item_lists: (arg.item_lists ?? []).map((items) => items.map(normalArgument)),
    omittable: arg.omittable ?? false,
    match: arg.match ?? null,
    fuzzy_threshold: arg.fuzzy_threshold ?? null,
    numeric_tolerance: arg.numeric_tolerance ?? null,
  }
}

export function normalArguments(
  args: Record<string, ArgumentExpectation> | undefined,
): Record<string, ArgumentExpectation> {
  return Object.fromEntries(
    Object.entries(args ?? {}).map(([name, arg]) => [name, normalArgument(arg)]),
  )
}

/** The same expectation without its defaults: what the JSON views show. */
export function compactArgument(arg: ArgumentExpectation): Partial<ArgumentExpectation> {
  const full = normalArgument(arg)
  const out: Partial<ArgumentExpectation> = {}
  if (full.acceptable?.length) out.acceptable = full.acceptable
  if (full.objects?.length)
    out.objects = full.objects.map(
      (shape) =>
        Object.fromEntries(
          Object.entries(shape).map(([k, v]) => [k, compactArgument(v)]),
        ) as Record<string, ArgumentExpectation>,
    )
  if (full.item_lists?.length)
    out.item_lists = full.item_lists.map(
      (items) => items.map(compactArgument) as ArgumentExpectation[],
    )
  if (full.omittable) out.omittable = true
  if (full.match !== null) out.match = full.match
  if (full.fuzzy_threshold !== null) out.fuzzy_threshold = full.fuzzy_threshold
  if (full.numeric_tolerance !== null) out.numeric_tolerance = full.numeric_tolerance
  return out
}

export function normalCall(call: ExpectedCall): ExpectedCall {
  return {
    name: call.name,
    arguments: normalArguments(call.arguments),
    sourced_arguments: (call.sourced_arguments ?? []).map((source) => ({
      argument: source.argument,
      from_tool: source.from_tool,
      path: source.path ?? [],
    })),
  }
}

export function normalTool(tool: CaseTool): CaseTool {
  return {
    type: 'function',
    function: {
      name: tool.function.name,
      description: tool.function.description ?? '',
      parameters: tool.function.parameters ?? { type: 'object', properties: {} },
    },
    source_name: tool.source_name ?? null,
  }
}

export function normalMultiTurn(settings: MultiTurnSettings): MultiTurnSettings {
  return {
    max_rounds: settings.max_rounds ?? DEFAULT_MAX_ROUNDS,
    optimal_hops: settings.optimal_hops ?? null,
    mock_responses: (settings.mock_responses ?? []).map((mock) => ({
      tool: mock.tool,
      when_arguments: mock.when_arguments ?? null,
      result: mock.result,
    })),
    default_response:
      settings.default_response === undefined ? DEFAULT_TOOL_RESULT : settings.default_response,
  }
}

export function normalCase(testCase: SuiteCase): SuiteCase {
  return {
    id: testCase.id,
    category: testCase.category ?? DEFAULT_CATEGORY,
    prompt: testCase.prompt ?? null,
    messages: testCase.messages ? testCase.messages.map((m) => ({ ...m })) : null,
    tools: testCase.tools ? testCase.tools.map(normalTool) : null,
    expected_calls: (testCase.expected_calls ?? []).map(normalCall),
    order: testCase.order ?? 'unordered',
    should_call_tool: testCase.should_call_tool ?? null,
    multi_turn: testCase.multi_turn ? normalMultiTurn(testCase.multi_turn) : null,
  }
}
