import type { CaseState, CaseSummary, EventFile, PanelMember, TimelineEvent } from '@/api/cases'
import type { HouseholdStatus } from '@/api/households'

// Pure helpers of the case screens, unit-tested in tests/unit/cases.spec.ts.

/** A problem with an evaluation panel: which field, the message key (cases.panel.*) and its values. */
export interface PanelProblem {
  field: 'members' | 'votes'
  key: string
  values: Record<string, number | string>
}

/**
 * The panel rules of DESIGN.md 3.2, as the server checks them (casework.CheckPanel), for
 * the dialog's live check: an odd number of members (at least 3), villager
 * representatives at least a third, cadres at most a third, every member named once,
 * votes adding up to the members. Returns every problem, the first one first.
 */
export function checkPanel(members: readonly PanelMember[], votesFor: number, votesAgainst: number, votesAbstain: number): PanelProblem[] {
  const out: PanelProblem[] = []
  const n = members.length
  const reps = members.filter((m) => m.kind === 'villager_representative').length
  const cadres = members.filter((m) => m.kind === 'cadre').length
  const names = members.map((m) => m.name.trim())
  if (names.some((x) => x === '')) out.push({ field: 'members', key: 'nameMissing', values: {} })
  const dup = names.find((x, i) => x !== '' && names.indexOf(x) !== i)
  if (dup) out.push({ field: 'members', key: 'duplicate', values: { name: dup } })
  if (n < 3 || n % 2 === 0) out.push({ field: 'members', key: 'odd', values: { n } })
  if (reps * 3 < n) out.push({ field: 'members', key: 'representatives', values: { n, reps } })
  if (cadres * 3 > n) out.push({ field: 'members', key: 'cadres', values: { n, cadres } })
  const votes = [votesFor, votesAgainst, votesAbstain]
  if (votes.some((v) => !Number.isInteger(v) || v < 0)) out.push({ field: 'votes', key: 'negative', values: {} })
  else if (votesFor + votesAgainst + votesAbstain !== n) out.push({ field: 'votes', key: 'sum', values: { sum: votesFor + votesAgainst + votesAbstain, n } })
  return out
}

/** Whether a panel's vote passes: a majority of its members voted for. */
export function panelPasses(size: number, votesFor: number): boolean {
  return votesFor * 2 > size
}

/** The element-plus tag type of a state. */
export function stateTagType(s: CaseState): 'info' | 'warning' | 'success' | 'danger' | 'primary' {
  switch (s) {
    case 'approved':
      return 'success'
    case 'denied':
    case 'not_accepted':
      return 'danger'
    case 'noticed':
    case 'township_reviewed':
      return 'warning'
    case 'submitted':
      return 'info'
    default:
      return 'primary'
  }
}

/** The steps of the procedure (申请 … 审批); evaluation only where the case has one. */
export const STEPS: CaseState[] = ['submitted', 'accepted', 'investigating', 'evaluating', 'township_reviewed', 'noticed', 'approved']

export function stepsOf(evaluated: boolean): CaseState[] {
  return evaluated ? STEPS : STEPS.filter((s) => s !== 'evaluating')
}

/**
 * The active step of a state on steps: an approved case has finished them all; a refusal
 * stops at the step it was refused on (acceptance or the decision).
 */
export function stepIndex(s: CaseState, steps: readonly CaseState[] = STEPS): number {
  switch (s) {
    case 'approved':
      return steps.length
    case 'not_accepted':
      return steps.indexOf('accepted')
    case 'denied':
      return steps.length - 1
    default:
      return steps.indexOf(s)
  }
}

/** How a deadline reads: key of cases.deadline.* and the count. */
export function deadlineText(workdaysLeft: number | null, overdue: boolean): { key: string; n: number; type: 'danger' | 'warning' | 'info' | 'success' } | null {
  if (workdaysLeft === null) return null
  if (overdue) return { key: 'overdue', n: Math.abs(workdaysLeft), type: 'danger' }
  if (workdaysLeft === 0) return { key: 'today', n: 0, type: 'danger' }
  if (workdaysLeft <= 5) return { key: 'left', n: workdaysLeft, type: 'warning' }
  return { key: 'left', n: workdaysLeft, type: 'success' }
}

/** Today's date (YYYY-MM-DD) in China, where every civil date of the app lives. */
export function todayInChina(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

/** A civil date moved by n calendar days. */
export function addDays(iso: string, n: number): string {
  const [y, m, d] = iso.split('-').map(Number)
  const t = new Date(Date.UTC(y, m - 1, d + n))
  return t.toISOString().slice(0, 10)
}

/** 2026-11-29 → 2026年11月29日 in Chinese, unchanged otherwise. */
export function civilDate(iso: string, locale: string): string {
  if (!iso) return ''
  if (!locale.startsWith('zh')) return iso
  const [y, m, d] = iso.split('-')
  return `${y}年${Number(m)}月${Number(d)}日`
}

/** Whether a case is still being handled: not yet decided, refused or turned away. */
export function isOpenCase(s: CaseState): boolean {
  return s !== 'approved' && s !== 'denied' && s !== 'not_accepted'
}

/**
 * Whether a new application may be started from a household's page: the user may submit,
 * the household's cases are known (null while loading or when they could not be loaded)
 * and none is open, and the household is not already a beneficiary. The server refuses
 * the same (case_already_open, household_enrolled); this only keeps the button away.
 */
export function mayApply(canSubmit: boolean, status: HouseholdStatus, cases: readonly { state: CaseState }[] | null): boolean {
  if (!canSubmit || cases === null) return false
  if (status !== 'registered' && status !== 'exited') return false
  return !cases.some((c) => isOpenCase(c.state))
}

/** What came of an application, for the household's list: a key of cases.householdCases.result and its values. */
export function caseResult(c: Pick<CaseSummary, 'state' | 'amount_fen' | 'certificate_no' | 'decided_on'>): {
  key: 'approved' | 'denied' | 'notAccepted' | 'pending'
  amountFen?: number
  certificateNo?: string
  date?: string
} {
  switch (c.state) {
    case 'approved':
      return { key: 'approved', amountFen: c.amount_fen ?? 0, certificateNo: c.certificate_no ?? '', date: c.decided_on ?? '' }
    case 'denied':
      return { key: 'denied', date: c.decided_on ?? '' }
    case 'not_accepted':
      return { key: 'notAccepted' }
    default:
      return { key: 'pending' }
  }
}

/** A household's cases, the latest application first. */
export function latestFirst<T extends { submitted_at: string; id: number }>(cases: readonly T[]): T[] {
  return [...cases].sort((a, b) => Date.parse(b.submitted_at) - Date.parse(a.submitted_at) || b.id - a.id)
}

/**
 * The attachments cited when a visit or an evaluation was recorded: the timeline entry
 * whose detail names it (visit_id, evaluation_id) holds them.
 */
export function filesOf(timeline: readonly TimelineEvent[], key: 'visit_id' | 'evaluation_id', id: number): EventFile[] {
  return timeline.find((e) => e.detail?.[key] === id)?.attachment_files ?? []
}
