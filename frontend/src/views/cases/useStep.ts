import { ref } from 'vue'
import { ApiError } from '@/api/client'
import type { CaseDetail } from '@/api/cases'

/**
 * Runs one step of a case from a dialog: the saving flag, the server's message when it
 * refuses (in the dialog, unless the app already told the user), and the field it names;
 * and the registry attachments the step cites (AttachmentUpload's v-model), with whether
 * one is still going up.
 */
export function useStep() {
  const saving = ref(false)
  const error = ref('')
  const field = ref('')
  const attachments = ref<number[]>([])
  const uploading = ref(false)

  function reset() {
    error.value = ''
    field.value = ''
  }

  /** A dialog opening: no error and no attachments yet. */
  function start() {
    reset()
    attachments.value = []
  }

  async function run(call: () => Promise<CaseDetail>): Promise<CaseDetail | null> {
    saving.value = true
    reset()
    try {
      return await call()
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

  return { saving, error, field, attachments, uploading, reset, start, run }
}
