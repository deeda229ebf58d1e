// Open/close state for a popover: closes on Escape (returning focus to its trigger), on a click
// outside it, and on navigation.
import { onBeforeUnmount, onMounted, ref, watch, type Ref } from 'vue'
import { useRoute } from 'vue-router'

export interface Disclosure {
  open: Ref<boolean>
  toggle(): void
  close(): void
}

export function useDisclosure(
  root: Ref<HTMLElement | null>,
  trigger: Ref<HTMLElement | null>,
): Disclosure {
  const open = ref(false)
  const route = useRoute()

  function close(): void {
    open.value = false
  }

  function onPointer(event: PointerEvent): void {
    if (open.value && root.value && !root.value.contains(event.target as Node)) close()
  }

  function onKey(event: KeyboardEvent): void {
    if (event.key === 'Escape' && open.value) {
      close()
      trigger.value?.focus()
    }
  }

  watch(() => route.fullPath, close)
  onMounted(() => {
    document.addEventListener('pointerdown', onPointer)
    document.addEventListener('keydown', onKey)
  })
  onBeforeUnmount(() => {
    document.removeEventListener('pointerdown', onPointer)
    document.removeEventListener('keydown', onKey)
  })

  return { open, toggle: () => (open.value = !open.value), close }
}
