import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import { authApi } from '@/api/auth'
import { ApiError } from '@/api/client'
import { mfaApi } from '@/api/users'
import type { Session } from '@/api/types'

/**
 * The signed-in session: who the user is, what they may do, and the CSRF token
 * that state-changing requests carry. Kept in memory only; a reload asks /me again.
 */
export const useSessionStore = defineStore('session', () => {
  const session = ref<Session | null>(null)
  /** Whether /me has been asked once since the page loaded. */
  const checked = ref(false)
  /** A message for the sign-in page to show once (session expired, signed out...). */
  const notice = ref<string | null>(null)

  const user = computed(() => session.value?.user ?? null)
  const roles = computed(() => session.value?.roles ?? [])
  const permissions = computed(() => new Set(session.value?.permissions ?? []))
  const csrfToken = computed(() => session.value?.csrf_token ?? null)

  function can(permission: string | undefined): boolean {
    return !permission || permissions.value.has(permission)
  }

  /** Asks the server for the current session; no session is not an error here. */
  async function restore(): Promise<void> {
    try {
      session.value = await authApi.me()
    } catch (err) {
      session.value = null
      if (!(err instanceof ApiError && err.status === 401)) throw err
    } finally {
      checked.value = true
    }
  }

  /**
   * The password step. Resolves with a ticket when the account signs in with a second
   * factor (then finish with loginWithCode); otherwise the session has started.
   */
  async function login(username: string, password: string): Promise<{ mfaToken?: string }> {
    const answer = await authApi.login(username, password)
    if (answer.mfa_required) return { mfaToken: answer.mfa_token }
    session.value = answer
    checked.value = true
    notice.value = null
    return {}
  }

  /** The second step: the authenticator's code or one recovery code. */
  async function loginWithCode(mfaToken: string, code: { code?: string; recovery_code?: string }): Promise<void> {
    session.value = await mfaApi.loginWithCode(mfaToken, code)
    checked.value = true
    notice.value = null
  }

  /** Ends the session on the server; the local state is cleared even if that fails. */
  async function logout(message: string | null = null): Promise<void> {
    try {
      await authApi.logout()
    } catch {
      // already gone or unreachable: signing out locally is what the user asked for
    } finally {
      clear(message)
    }
  }

  function clear(message: string | null = null): void {
    session.value = null
    checked.value = true
    notice.value = message
  }

  return { session, checked, notice, user, roles, permissions, csrfToken, can, restore, login, loginWithCode, logout, clear }
})
