// Schedules: the list, one schedule with its occurrences, previews (next occurrences, cost),
// and its regression alerts (rules, episodes, mutes, the trend).
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

import { api, unwrap } from '@/api/client'
import type { components } from '@/api/schema'
import type { AlertRules, MetricName, Schedule, ScheduleIn } from '@/features/schedules/status'
import { browserZone, type TimingIn } from '@/features/schedules/timing'
import { useAuthStore } from '@/stores/auth'

type ScheduleUpdate = components['schemas']['ScheduleUpdate']

const PAGE_SIZE = 100
const path = (schedule_id: string) => ({ path: { schedule_id } })

export const useSchedulesStore = defineStore('schedules', () => {
  const schedules = ref<Schedule[]>([])
  const total = ref(0)

  async function loadList(): Promise<void> {
    const page = await unwrap(
      api.GET('/api/schedules', { params: { query: { limit: PAGE_SIZE } } }),
    )
    schedules.value = page.items
    total.value = page.total
  }

  function keep(schedule: Schedule): Schedule {
    schedules.value = schedules.value.map((s) => (s.id === schedule.id ? schedule : s))
    return schedule
  }

  async function get(id: string): Promise<Schedule> {
    return await unwrap(api.GET('/api/schedules/{schedule_id}', { params: path(id) }))
  }

  async function create(body: ScheduleIn): Promise<Schedule> {
    return await unwrap(api.POST('/api/schedules', { body }))
  }

  async function update(id: string, body: ScheduleUpdate): Promise<Schedule> {
    return keep(await unwrap(api.PATCH('/api/schedules/{schedule_id}', { params: path(id), body })))
  }

  async function remove(id: string): Promise<void> {
    await unwrap(api.DELETE('/api/schedules/{schedule_id}', { params: path(id) }))
    schedules.value = schedules.value.filter((s) => s.id !== id)
  }

  /** A draft's next occurrences, in UTC and the browser's zone. */
  async function nextDraft(timing: TimingIn, count = 5, signal?: AbortSignal) {
    const body = { timing, count, timezone: browserZone() }
    return await unwrap(api.POST('/api/schedules/next', { body, signal }))
  }

  async function next(id: string, count = 5) {
    const query = { count, timezone: browserZone() }
    return await unwrap(
      api.GET('/api/schedules/{schedule_id}/next', { params: { ...path(id), query } }),
    )
  }

  async function estimate(body: ScheduleIn, signal?: AbortSignal) {
    return await unwrap(api.POST('/api/schedules/estimate', { body, signal }))
  }

  async function occurrences(id: string, limit = 50) {
    return await unwrap(
      api.GET('/api/schedules/{schedule_id}/occurrences', {
        params: { ...path(id), query: { limit } },
      }),
    )
  }

  async function rules(id: string) {
    return await unwrap(api.GET('/api/schedules/{schedule_id}/alert-rules', { params: path(id) }))
  }

  async function saveRules(id: string, body: AlertRules) {
    return await unwrap(
      api.PUT('/api/schedules/{schedule_id}/alert-rules', { params: path(id), body }),
    )
  }

  async function alerts(id: string) {
    return await unwrap(api.GET('/api/schedules/{schedule_id}/alerts', { params: path(id) }))
  }

  async function trend(id: string, limit = 50) {
    return await unwrap(
      api.GET('/api/schedules/{schedule_id}/trend', { params: { ...path(id), query: { limit } } }),
    )
  }

  async function mute(id: string, metric: MetricName): Promise<void> {
    await unwrap(
      api.POST('/api/schedules/{schedule_id}/alerts/mutes', {
        params: path(id),
        body: { metric, until: null },
      }),
    )
  }

  async function unmute(id: string, metric: MetricName): Promise<void> {
    await unwrap(
      api.DELETE('/api/schedules/{schedule_id}/alerts/mutes/{metric}', {
        params: { path: { schedule_id: id, metric } },
      }),
    )
  }

  function clear(): void {
    schedules.value = []
    total.value = 0
  }

  watch(() => useAuthStore().user?.id, clear)

  return {
    schedules,
    total,
    loadList,
    get,
    create,
    update,
    remove,
    nextDraft,
    next,
    estimate,
    occurrences,
    rules,
    saveRules,
    alerts,
    trend,
    mute,
    unmute,
    clear,
  }
})
