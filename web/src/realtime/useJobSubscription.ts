// A page follows one job's events while `jobId()` names it (e.g. while its run is running):
// `follow` subscribes and returns the unsubscribe, called when the job changes, following
// stops, or the page unmounts.
import { onBeforeUnmount, watch } from 'vue'

export function useJobSubscription(
  jobId: () => string | null,
  follow: (jobId: string) => () => void,
): void {
  let stop: (() => void) | null = null

  function release(): void {
    stop?.()
    stop = null
  }

  watch(
    jobId,
    (id) => {
      release()
      if (id) stop = follow(id)
    },
    { immediate: true },
  )
  onBeforeUnmount(release)
}
