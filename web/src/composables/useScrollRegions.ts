// Wide tables scroll sideways inside their own box. A keyboard user must be able to scroll that
// box too (WCAG 2.1.1; axe's scrollable-region-focusable), so every sideways-scrolling box in
// the page gets tabindex="0", and a name for screen readers taken from its table.
import { onBeforeUnmount, onMounted, type Ref } from 'vue'

const SELECTOR = '.overflow-x-auto, .overflow-auto'
const MARK = 'data-scroll-region'

function nameFor(box: HTMLElement): string {
  const table = box.querySelector('table')
  const label =
    table?.getAttribute('aria-label') ??
    table?.querySelector('caption')?.textContent ??
    box.closest('section')?.querySelector('h2, h3')?.textContent ??
    document.querySelector('main h1')?.textContent
  return `${label?.trim() || 'Table'} (scrolls sideways)`
}

/** Mark the scroll boxes under `root` that overflow now; unmark those that no longer do. */
export function markScrollRegions(root: HTMLElement): void {
  for (const box of Array.from(root.querySelectorAll<HTMLElement>(SELECTOR))) {
    const scrolls = box.scrollWidth > box.clientWidth + 1
    const marked = box.hasAttribute(MARK)
    if (scrolls && !marked && !box.hasAttribute('tabindex')) {
      box.setAttribute(MARK, '')
      box.setAttribute('tabindex', '0')
      box.setAttribute('role', 'region')
      box.setAttribute('aria-label', nameFor(box))
    } else if (!scrolls && marked) {
      for (const attribute of [MARK, 'tabindex', 'role', 'aria-label'])
        box.removeAttribute(attribute)
    }
  }
}

export function useScrollRegions(root: Ref<HTMLElement | null>): void {
  let frame = 0
  const schedule = (): void => {
    cancelAnimationFrame(frame)
    frame = requestAnimationFrame(() => {
      if (root.value) markScrollRegions(root.value)
    })
  }
  const mutations = new MutationObserver(schedule)
  onMounted(() => {
    window.addEventListener('resize', schedule)
    if (root.value)
      mutations.observe(root.value, { childList: true, subtree: true, characterData: true })
    schedule()
  })
  onBeforeUnmount(() => {
    cancelAnimationFrame(frame)
    mutations.disconnect()
    window.removeEventListener('resize', schedule)
  })
}
