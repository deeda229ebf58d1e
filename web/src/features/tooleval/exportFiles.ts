// Downloads of eval exports: the file name the server suggests, or a sensible one of our own.

export interface ExportFile {
  blob: Blob
  filename: string
}

/**
 * The file name in a Content-Disposition header (`attachment; filename="x.json"`, or the RFC
 * 5987 `filename*=UTF-8''x.json`); `fallback` when there is none or it would leave a folder.
 */
export function attachmentFilename(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback
  const encoded = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition)
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/.exec(disposition)
  let name: string | undefined
  try {
    name = encoded?.[1] ? decodeURIComponent(encoded[1].trim()) : (plain?.[1] ?? plain?.[2])
  } catch {
    name = plain?.[1] ?? plain?.[2]
  }
  name = name?.trim()
  return name && !/[\\/]/.test(name) && name !== '.' && name !== '..' ? name : fallback
}

/** A file-name-safe slug of a suite's name (as the server makes its suite file names). */
export function slug(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
  return cleaned || 'suite'
}

export function suiteFileFallback(name: string, version: number): string {
  return `${slug(name)}.v${version}.suite.json`
}
