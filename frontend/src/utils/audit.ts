// Presentation rules of the audit log screen, kept free of Vue so they can be unit-tested.

/** Audit times are shown as the bureau reads them: Beijing time, to the second. */
const shanghai = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

/** 2026-05-03 10:11:12 (Asia/Shanghai) of an RFC 3339 timestamp, whatever the browser's zone. */
export function formatAuditTime(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const part = Object.fromEntries(shanghai.formatToParts(date).map((p) => [p.type, p.value]))
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`
}

/** Keys that can be looked up as a message path (a.b_c), so odd input never reaches vue-i18n. */
const KEY = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/

/**
 * The label of a known key under a message namespace (audit.actions + auth.login), or the
 * raw key itself when there is no message for it: new kinds of events still show.
 */
export function labelOr(namespace: string, raw: string, has: (key: string) => boolean, t: (key: string) => string): string {
  if (!KEY.test(raw)) return raw
  const key = `${namespace}.${raw}`
  return has(key) ? t(key) : raw
}

export type TagType = 'success' | 'warning' | 'danger' | 'info'

export function outcomeTag(outcome: string): TagType {
  return ({ success: 'success', failure: 'warning', denied: 'danger' } as Record<string, TagType>)[outcome] ?? 'info'
}

/** One field of a change: its value before and after ("" when absent on a side). */
export interface ChangeRow {
  field: string
  before: string
  after: string
}

export interface DetailView {
  /** Fields of detail.before / detail.after, in a stable order. */
  changes: ChangeRow[]
  hasBefore: boolean
  hasAfter: boolean
  /** Everything else in the detail (reason, attempted action, counts...). */
  facts: { key: string; value: string }[]
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** A value as text: strings as they are, anything else as compact JSON. */
export function showValue(v: unknown): string {
  if (v === undefined) return ''
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}

/** Splits an entry's detail into a before/after table and the remaining facts. */
export function detailView(detail: Record<string, unknown> | undefined): DetailView {
  const d = detail ?? {}
  const before = isObject(d.before) ? d.before : undefined
  const after = isObject(d.after) ? d.after : undefined
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort()
  const changes = fields.map((field) => ({ field, before: showValue(before?.[field]), after: showValue(after?.[field]) }))
  const facts = Object.keys(d)
    .filter((k) => !(k === 'before' && before) && !(k === 'after' && after))
    .sort()
    .map((key) => ({ key, value: showValue(d[key]) }))
  return { changes, hasBefore: !!before, hasAfter: !!after, facts }
}
