// Rules of division codes that the screens need, kept pure so that they can be tested.
import type { DivisionLevel } from '@/api/divisions'

/** The platform's pseudo-division. */
export const PLATFORM_CODE = '000000'

/** Urban-rural type codes (城乡分类代码) of villages, in order. */
export const URBAN_RURAL_TYPES = ['111', '112', '121', '122', '123', '210', '220'] as const

/** A role held at holder covers target and everything below it. */
export function covers(holder: string, target: string): boolean {
  return holder !== '' && target.startsWith(holder)
}

/** The level directly below level, or null below villages. */
export function childLevel(level: DivisionLevel): DivisionLevel | null {
  const order: DivisionLevel[] = ['platform', 'province', 'city', 'county', 'township', 'village']
  const i = order.indexOf(level)
  return i >= 0 && i < order.length - 1 ? order[i + 1] : null
}

/** Number of digits of a code at level (shortest form). */
export function codeLength(level: DivisionLevel): number {
  return { platform: 6, province: 2, city: 4, county: 6, township: 9, village: 12 }[level]
}

/** The level of a code in shortest form, or null. */
export function levelOfCode(code: string): DivisionLevel | null {
  if (!/^\d+$/.test(code)) return null
  if (code === PLATFORM_CODE) return 'platform'
  const byLength: Record<number, DivisionLevel> = { 2: 'province', 4: 'city', 6: 'county', 9: 'township', 12: 'village' }
  return byLength[code.length] ?? null
}

/** The codes above code, from the province down (the platform excluded). */
export function ancestors(code: string): string[] {
  return [2, 4, 6, 9].filter((n) => code.length > n).map((n) => code.slice(0, n))
}

/**
 * A free code for a new child of parent: one past the highest existing child, or the
 * first usual number (township 101, village 201) when there is none.
 */
export function suggestChildCode(parent: string, level: DivisionLevel, siblings: readonly string[]): string {
  const width = codeLength(level) - parent.length
  let highest = 0
  for (const s of siblings) {
    if (s.startsWith(parent) && s.length === parent.length + width) highest = Math.max(highest, Number(s.slice(parent.length)))
  }
  const next = highest > 0 ? highest + 1 : level === 'village' ? 201 : 101
  if (next >= 10 ** width) return ''
  return parent + String(next).padStart(width, '0')
}

/** Checks a new child's code as the server will; returns a message key or null. */
export function checkChildCode(code: string, parent: string, level: DivisionLevel): string | null {
  if (!code) return 'divisions.form.codeRequired'
  if (!/^\d+$/.test(code) || code.length !== codeLength(level)) return 'divisions.form.codeLength'
  if (!code.startsWith(parent)) return 'divisions.form.codePrefix'
  if (/^0+$/.test(code.slice(parent.length))) return 'divisions.form.codeZero'
  return null
}

/** Adds ?division=CODE (the working division) to a list endpoint's path. */
export function withDivision(path: string, code: string | null | undefined): string {
  if (!code) return path
  const [head, hash = ''] = path.split('#', 2)
  const url = head + (head.includes('?') ? '&' : '?') + 'division=' + encodeURIComponent(code)
  return hash ? `${url}#${hash}` : url
}
