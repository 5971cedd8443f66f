import { useI18n } from 'vue-i18n'
import type { DivisionLevel } from '@/api/divisions'

/** Names of division levels, urban-rural types and statuses in the UI's language. */
export function useDivisionLabels() {
  const { t, te } = useI18n()
  return {
    level: (level: DivisionLevel | string) => (te(`divisions.levels.${level}`) ? t(`divisions.levels.${level}`) : level),
    levelShort: (level: DivisionLevel | string) =>
      te(`divisions.levelShort.${level}`) ? t(`divisions.levelShort.${level}`) : level,
    urbanRural: (code: string) => (code && te(`divisions.urbanRural.${code}`) ? `${code} ${t(`divisions.urbanRural.${code}`)}` : code),
    status: (status: string) => t(`divisions.status.${status === 'retired' ? 'retired' : 'active'}`),
    /** Element Plus tag colour of a level. */
    levelTag: (level: DivisionLevel | string): 'primary' | 'success' | 'warning' | 'info' | 'danger' =>
      level === 'village' ? 'success' : level === 'township' ? 'primary' : level === 'county' ? 'warning' : 'info',
  }
}
