// Starting points for adding a provider: the wire protocol and the usual base URL of common
// hosted APIs and local servers. Everything stays editable.
export type ProviderProtocol = 'openai' | 'anthropic' | 'gemini'

export interface ProviderPreset {
  id: string
  label: string
  protocol: ProviderProtocol
  baseUrl: string
  /** Local servers usually run without a key. */
  needsKey: boolean
  group: 'Hosted APIs' | 'Local servers' | 'Other'
}

export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  {
    id: 'openai',
    label: 'OpenAI',
    protocol: 'openai',
    baseUrl: 'https://api.openai.com/v1',
    needsKey: true,
    group: 'Hosted APIs',
  },
  {
    id: 'anthropic',
    label: 'Anthropic',
    protocol: 'anthropic',
    baseUrl: 'https://api.anthropic.com',
    needsKey: true,
    group: 'Hosted APIs',
  },
  {
    id: 'gemini',
    label: 'Google Gemini',
    protocol: 'gemini',
    baseUrl: 'https://generativelanguage.googleapis.com',
    needsKey: true,
    group: 'Hosted APIs',
  },
  {
    id: 'mistral',
    label: 'Mistral',
    protocol: 'openai',
    baseUrl: 'https://api.mistral.ai/v1',
    needsKey: true,
    group: 'Hosted APIs',
  },
  {
    id: 'deepseek',
    label: 'DeepSeek',
    protocol: 'openai',
    baseUrl: 'https://api.deepseek.com/v1',
    needsKey: true,
    group: 'Hosted APIs',
  },
  {
    id: 'xai',
    label: 'xAI',
    protocol: 'openai',
    baseUrl: 'https://api.x.ai/v1',
    needsKey: true,
    group: 'Hosted APIs',
  },
  {
    id: 'groq',
    label: 'Groq',
    protocol: 'openai',
    baseUrl: 'https://api.groq.com/openai/v1',
    needsKey: true,
    group: 'Hosted APIs',
  },
  {
    id: 'together',
    label: 'Together AI',
    protocol: 'openai',
    baseUrl: 'https://api.together.xyz/v1',
    needsKey: true,
    group: 'Hosted APIs',
  },
  {
    id: 'openrouter',
    label: 'OpenRouter',
    protocol: 'openai',
    baseUrl: 'https://openrouter.ai/api/v1',
    needsKey: true,
    group: 'Hosted APIs',
  },
  {
    id: 'ollama',
    label: 'Ollama',
    protocol: 'openai',
    baseUrl: 'http://127.0.0.1:11434/v1',
    needsKey: false,
    group: 'Local servers',
  },
  {
    id: 'lmstudio',
    label: 'LM Studio',
    protocol: 'openai',
    baseUrl: 'http://127.0.0.1:1234/v1',
    needsKey: false,
    group: 'Local servers',
  },
  {
    id: 'vllm',
    label: 'vLLM',
    protocol: 'openai',
    baseUrl: 'http://127.0.0.1:8000/v1',
    needsKey: false,
    group: 'Local servers',
  },
  {
    id: 'llamacpp',
    label: 'llama.cpp server',
    protocol: 'openai',
    baseUrl: 'http://127.0.0.1:8080/v1',
    needsKey: false,
    group: 'Local servers',
  },
  {
    id: 'custom',
    label: 'Other OpenAI-compatible endpoint',
    protocol: 'openai',
    baseUrl: '',
    needsKey: false,
    group: 'Other',
  },
]

export const PROTOCOL_LABELS: Record<string, string> = {
  openai: 'OpenAI-compatible',
  anthropic: 'Anthropic Messages',
  gemini: 'Google Gemini',
}

export function presetById(id: string): ProviderPreset | undefined {
  return PROVIDER_PRESETS.find((preset) => preset.id === id)
}
