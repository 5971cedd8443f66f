// The browser's checks of a registry attachment before it is sent: the server's rules
// (household.Files: JPEG, PNG or PDF told by the content, at most 10 MB, not empty; at
// most 20 on one step of a case). The server checks the content again.

import { ApiError } from '@/api/client'

export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
export const ATTACHMENTS_PER_STEP = 20
export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'application/pdf']
/** What the file picker offers. */
export const ATTACHMENT_ACCEPT = '.jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf'

const EXTENSIONS: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', pdf: 'application/pdf' }

/**
 * The problem with a picked file, as a key under households.validation, or null. A browser
 * that gives no type (some do for PDF files) is judged by the name's extension.
 */
export function attachmentProblem(file: { name: string; type: string; size: number }): 'fileType' | 'fileTooLarge' | 'fileEmpty' | null {
  const ext = file.name.toLowerCase().split('.').pop() ?? ''
  const type = file.type || EXTENSIONS[ext] || ''
  if (!ATTACHMENT_TYPES.includes(type)) return 'fileType'
  if (file.size > ATTACHMENT_MAX_BYTES) return 'fileTooLarge'
  if (file.size === 0) return 'fileEmpty'
  return null
}

/** A file size as people read it: 812 B, 40.2 KB, 3.1 MB. */
export function fileSize(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

/**
 * Deletes again files uploaded for a step that was then not taken (AttachmentUpload's
 * withdraw): remove is called for each, all at once; a file already gone (404) counts as
 * deleted. Returns the files that could not be deleted, each with its error.
 */
export async function withdrawUploads<F>(files: F[], remove: (file: F) => Promise<void>): Promise<{ file: F; error: unknown }[]> {
  const results = await Promise.all(
    files.map(async (file) => {
      try {
        await remove(file)
        return null
      } catch (error) {
        return error instanceof ApiError && error.status === 404 ? null : { file, error }
      }
    }),
  )
  return results.filter((r): r is { file: F; error: unknown } => r !== null)
}
