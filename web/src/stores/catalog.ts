// The signed-in user's providers and models. Keys are write-only: the server only ever says
// whether one is set and its last four characters.
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'
import { useAuthStore } from '@/stores/auth'

export type Provider = components['schemas']['ProviderOut']
export type ProviderCreate = components['schemas']['ProviderCreate']
export type ProviderUpdate = components['schemas']['ProviderUpdate']
export type ProviderHealth = components['schemas']['HealthOut']
export type DiscoveredModel = components['schemas']['DiscoveredModel']
export type CatalogModel = components['schemas']['ModelOut']
export type ModelCreate = components['schemas']['ModelCreate']
export type ModelUpdate = components['schemas']['ModelUpdate']
export type ModelCapability = NonNullable<CatalogModel['capability']>

const path = (provider_id: string) => ({ params: { path: { provider_id } } })
const modelPath = (model_ref_id: string) => ({ params: { path: { model_ref_id } } })

export const useCatalogStore = defineStore('catalog', () => {
  const providers = ref<Provider[]>([])
  const models = ref<CatalogModel[]>([])
  const health = ref<Record<string, ProviderHealth>>({})
  const loaded = ref(false)
  const showArchived = ref(false)

  const activeProviders = computed(() => providers.value.filter((p) => !p.archived))
  const activeModels = computed(() => models.value.filter((m) => m.archived_at === null))

  function providerName(id: string): string {
    return providers.value.find((p) => p.id === id)?.name ?? 'Unknown provider'
  }

  function replaceProvider(provider: Provider): Provider {
    const index = providers.value.findIndex((p) => p.id === provider.id)
    if (index >= 0) providers.value[index] = provider
    else providers.value.push(provider)
    return provider
  }

  function replaceModel(model: CatalogModel): CatalogModel {
    const index = models.value.findIndex((m) => m.id === model.id)
    if (index >= 0) models.value[index] = model
    else models.value.push(model)
    return model
  }

  async function load(): Promise<void> {
    const query = { include_archived: showArchived.value }
    const [providerList, modelList] = await Promise.all([
      unwrap(api.GET('/api/providers', { params: { query } })),
      unwrap(api.GET('/api/models', { params: { query } })),
    ])
    providers.value = providerList
    models.value = modelList
    loaded.value = true
  }

  async function ensureLoaded(): Promise<void> {
    if (!loaded.value) await load()
  }

  async function createProvider(body: ProviderCreate): Promise<Provider> {
    return replaceProvider(await unwrap(api.POST('/api/providers', { body })))
  }

  async function updateProvider(id: string, body: ProviderUpdate): Promise<Provider> {
    return replaceProvider(
      await unwrap(api.PATCH('/api/providers/{provider_id}', { ...path(id), body })),
    )
  }

  /** Archive (history keeps it): its models are archived and its key erased with it. */
  async function archiveProvider(id: string): Promise<void> {
    await unwrap(api.DELETE('/api/providers/{provider_id}', path(id)))
    await load()
  }

  async function setKey(id: string, apiKey: string): Promise<Provider> {
    const body = { api_key: apiKey }
    return replaceProvider(
      await unwrap(api.PUT('/api/providers/{provider_id}/key', { ...path(id), body })),
    )
  }

  async function removeKey(id: string): Promise<Provider> {
    return replaceProvider(await unwrap(api.DELETE('/api/providers/{provider_id}/key', path(id))))
  }

  async function checkHealth(id: string): Promise<ProviderHealth> {
    const result = await unwrap(api.POST('/api/providers/{provider_id}/health', path(id)))
    health.value[id] = result
    return result
  }

  async function discoverModels(id: string): Promise<DiscoveredModel[]> {
    return unwrap(api.GET('/api/providers/{provider_id}/available-models', path(id)))
  }

  async function importModels(id: string, modelIds: string[]): Promise<CatalogModel[]> {
    const body = { model_ids: modelIds }
    const added = await unwrap(
      api.POST('/api/providers/{provider_id}/import-models', { ...path(id), body }),
    )
    added.forEach(replaceModel)
    return added
  }

  async function createModel(body: ModelCreate): Promise<CatalogModel> {
    return replaceModel(await unwrap(api.POST('/api/models', { body })))
  }

  /** Renaming archives the model and returns its successor, so the list is reloaded. */
  async function updateModel(id: string, body: ModelUpdate): Promise<CatalogModel> {
    const updated = await unwrap(
      api.PATCH('/api/models/{model_ref_id}', { ...modelPath(id), body }),
    )
    if (updated.id !== id) await load()
    else replaceModel(updated)
    return updated
  }

  async function archiveModel(id: string): Promise<void> {
    await unwrap(api.DELETE('/api/models/{model_ref_id}', modelPath(id)))
    await load()
  }

  function clear(): void {
    providers.value = []
    models.value = []
    health.value = {}
    loaded.value = false
  }

  watch(() => useAuthStore().user?.id, clear)

  return {
    providers,
    models,
    health,
    loaded,
    showArchived,
    activeProviders,
    activeModels,
    providerName,
    load,
    ensureLoaded,
    createProvider,
    updateProvider,
    archiveProvider,
    setKey,
    removeKey,
    checkHealth,
    discoverModels,
    importModels,
    createModel,
    updateModel,
    archiveModel,
    clear,
  }
})
