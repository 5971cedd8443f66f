import { useI18n } from 'vue-i18n'
import type { RoleAssignment } from '@/api/types'

/**
 * Names a role in the current UI language. The server's role_name is in the
 * language of the request that fetched the session, so known keys are
 * translated here; an unknown key falls back to the server's name.
 */
export function useRoleName() {
  const { t, te } = useI18n()
  return (role: RoleAssignment) => (te(`roles.${role.role_key}`) ? t(`roles.${role.role_key}`) : role.role_name)
}
