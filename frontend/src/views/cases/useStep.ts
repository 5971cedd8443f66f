import { ref } from 'vue'
import { ApiError } from '@/api/client'
import type { CaseDetail } from '@/api/cases'

/** What useStep needs of the dialog's AttachmentUpload (its exposed methods). */
export interface Uploads {
  withdraw(): Promise<void>
  settle(): void
}

/**
 * A dialog's handle on its AttachmentUpload: ref binds it (as :ref); withdraw
 * and settle reach it while it is there and do nothing once it is gone.
 */
export function useUploads() {
  let upload: Uploads | null = null
  return {
    ref: (c: unknown) => {
      upload = (c as Uploads | null) ?? null
    },
    withdraw: (): Promise<void> => upload?.withdraw() ?? Promise.resolve(),
    settle: () => upload?.settle(),
  }
}

/**
 * Runs one step of a case from a dialog: the saving flag, the server's message when it
 * refuses (in the dialog, unless the app already told the user), and the field it names;
 * and the registry attachments the step cites (AttachmentUpload's v-model), with whether
 * one is still going up. uploadRef binds the dialog's AttachmentUpload (:ref="uploadRef"): a
 * taken step settles its files; closed(), called when the dialog closes, withdraws whatever
 * was uploaded for a step that was not taken, deleting it from the household again.
 */
export function useStep() {
  const saving = ref(false)
  const error = ref('')
  const field = ref('')
  const attachments = ref<number[]>([])
  const uploading = ref(false)
  const upload = useUploads()
  const uploadRef = upload.ref

  function reset() {
    error.value = ''
    field.value = ''
  }

  /** A dialog opening: no error and no attachments yet. */
  function start() {
    reset()
    attachments.value = []
  }

  /** The dialog closed: files uploaded for a step that was not taken leave the household. */
  function closed() {
    void upload.withdraw()
  }

  async function run(call: () => Promise<CaseDetail>): Promise<CaseDetail | null> {
    saving.value = true
    reset()
    try {
      const out = await call()
      upload.settle()
      return out
    } catch (e) {
      if (e instanceof ApiError && !e.handled) {
        error.value = e.message
        field.value = String(e.details.field ?? '')
      }
      return null
    } finally {
      saving.value = false
    }
  }

  return { saving, error, field, attachments, uploading, uploadRef, reset, start, closed, run }
}
