import { computed, ref, watch } from 'vue'
import { defineStore } from 'pinia'
import type { RoleAssignment } from '@/api/types'
import { useSessionStore } from '@/stores/session'
import { covers, withDivision } from '@/utils/divisions'

/** A division chosen to work in. */
export interface WorkingChoice {
  code: string
  name: string
}

/** Where one user's choice is remembered in this browser. */
export function storageKey(userId: number): string {
  return `dibao.workingDivision.${userId}`
}

/** The broadest division the user holds a role at (the shortest code), their default. */
export function defaultChoice(roles: readonly RoleAssignment[]): WorkingChoice | null {
  let best: RoleAssignment | null = null
  for (const r of roles) if (!best || r.division_code.length < best.division_code.length) best = r
  return best ? { code: best.division_code, name: best.division_name } : null
}

/** A remembered choice, if it is well formed and still inside one of the user's roles. */
export function restoreChoice(saved: string | null, roles: readonly RoleAssignment[]): WorkingChoice | null {
  if (!saved) return null
  try {
    const v = JSON.parse(saved) as Partial<WorkingChoice>
    if (typeof v.code !== 'string' || typeof v.name !== 'string') return null
    return roles.some((r) => covers(r.division_code, v.code as string)) ? { code: v.code, name: v.name } : null
  } catch {
    return null
  }
}

/**
 * The division the user works in: list pages show only what lies in it, and list API
 * calls send it as ?division=. It defaults to the user's broadest role division and is
 * remembered per user in this browser.
 */
export const useWorkingDivision = defineStore('workingDivision', () => {
  const session = useSessionStore()
  const chosen = ref<WorkingChoice | null>(null)

  const fallback = computed(() => defaultChoice(session.roles))
  const code = computed(() => chosen.value?.code ?? fallback.value?.code ?? '')
  const name = computed(() => chosen.value?.name ?? fallback.value?.name ?? '')
  /** Whether the user narrowed it below their default. */
  const narrowed = computed(() => !!chosen.value && chosen.value.code !== fallback.value?.code)

  function storage(): Storage | null {
    return typeof localStorage === 'undefined' ? null : localStorage
  }

  // A new user (sign-in, sign-out) brings back their own remembered choice.
  watch(
    () => session.user?.id,
    (id) => {
      chosen.value = id ? restoreChoice(storage()?.getItem(storageKey(id)) ?? null, session.roles) : null
    },
    { immediate: true },
  )

  /** Works in division code from now on; a division outside the user's roles is refused. */
  function choose(choice: WorkingChoice): boolean {
    if (!session.roles.some((r) => covers(r.division_code, choice.code))) return false
    chosen.value = { code: choice.code, name: choice.name }
    const id = session.user?.id
    if (id) storage()?.setItem(storageKey(id), JSON.stringify(chosen.value))
    return true
  }

  /** Back to the default (the broadest role division). */
  function reset(): void {
    chosen.value = null
    const id = session.user?.id
    if (id) storage()?.removeItem(storageKey(id))
  }

  /** Whether the user may pick division code (it lies inside one of their roles). */
  function selectable(divisionCode: string): boolean {
    return session.roles.some((r) => covers(r.division_code, divisionCode))
  }

  /** A list endpoint's path with ?division= of the working division. */
  function listPath(path: string): string {
    return withDivision(path, code.value)
  }

  return { code, name, narrowed, choose, reset, selectable, listPath }
})
