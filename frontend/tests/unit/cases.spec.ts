import { describe, expect, it } from 'vitest'
import type { CaseState, PanelMember, TimelineEvent } from '@/api/cases'
import {
  addDays, caseResult, checkPanel, filesOf, deadlineText, isOpenCase, latestFirst, mayApply, panelPasses, stepIndex, stepsOf, todayInChina,
} from '@/utils/cases'

const panel = (...kinds: PanelMember['kind'][]): PanelMember[] => kinds.map((kind, i) => ({ name: `成员${i + 1}`, kind }))
const keys = (ms: PanelMember[], f: number, a = 0, ab = 0) => checkPanel(ms, f, a, ab).map((p) => p.key)

describe('the evaluation panel check', () => {
  it('accepts an odd panel with enough representatives and few cadres', () => {
    expect(keys(panel('villager_representative', 'villager_representative', 'cadre'), 2, 1)).toEqual([])
    expect(keys(panel('villager_representative', 'villager_representative', 'cadre', 'party_member', 'other'), 3, 1, 1)).toEqual([])
  })
  it('names each broken rule', () => {
    expect(keys(panel('villager_representative', 'cadre'), 2)).toContain('odd')
    expect(keys(panel('villager_representative', 'party_member', 'party_member', 'party_member', 'cadre'), 5)).toEqual(['representatives'])
    expect(keys(panel('villager_representative', 'villager_representative', 'cadre', 'cadre', 'party_member'), 5)).toEqual(['cadres'])
    expect(keys(panel('villager_representative', 'villager_representative', 'cadre'), 1, 1)).toEqual(['sum'])
    expect(keys(panel('villager_representative', 'villager_representative', 'cadre'), -1, 4)).toEqual(['negative'])
    const twice = panel('villager_representative', 'villager_representative', 'cadre')
    twice[2].name = twice[0].name
    expect(keys(twice, 3)).toEqual(['duplicate'])
  })
  it('passes on a majority of the members', () => {
    expect(panelPasses(5, 3)).toBe(true)
    expect(panelPasses(5, 2)).toBe(false)
    expect(panelPasses(3, 2)).toBe(true)
  })
})

describe('dates and deadlines', () => {
  it('counts calendar days across months and years', () => {
    expect(addDays('2026-12-28', 6)).toBe('2027-01-03')
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
  })
  it('reads today in China', () => {
    expect(todayInChina(new Date('2026-11-29T20:30:00Z'))).toBe('2026-11-30')
  })
  it('reads a deadline', () => {
    expect(deadlineText(null, false)).toBeNull()
    expect(deadlineText(12, false)).toMatchObject({ key: 'left', n: 12, type: 'success' })
    expect(deadlineText(3, false)).toMatchObject({ key: 'left', type: 'warning' })
    expect(deadlineText(0, false)).toMatchObject({ key: 'today' })
    expect(deadlineText(-2, true)).toMatchObject({ key: 'overdue', n: 2, type: 'danger' })
  })
  it('places states on the procedure', () => {
    expect(stepIndex('submitted')).toBe(0)
    expect(stepIndex('noticed')).toBe(5)
    expect(stepIndex('denied')).toBe(6)
    expect(stepIndex('approved')).toBe(7) // every step done
    const short = stepsOf(false)
    expect(short).not.toContain('evaluating')
    expect(stepIndex('noticed', short)).toBe(4)
    expect(stepIndex('not_accepted', short)).toBe(1)
  })
})

describe("a household's applications", () => {
  const c = (state: CaseState) => ({ state })
  it('tells open cases from closed ones', () => {
    for (const s of ['submitted', 'accepted', 'investigating', 'evaluating', 'township_reviewed', 'noticed'] as CaseState[]) expect(isOpenCase(s), s).toBe(true)
    for (const s of ['approved', 'denied', 'not_accepted'] as CaseState[]) expect(isOpenCase(s), s).toBe(false)
  })
  it('offers a new application only to who may submit, once the cases are known and none is open', () => {
    expect(mayApply(true, 'registered', [])).toBe(true)
    expect(mayApply(true, 'exited', [c('approved'), c('denied'), c('not_accepted')])).toBe(true)
    expect(mayApply(false, 'registered', [])).toBe(false)
    expect(mayApply(true, 'registered', null)).toBe(false) // still loading, or failed to load
    expect(mayApply(true, 'applying', [c('investigating')])).toBe(false)
    expect(mayApply(true, 'registered', [c('denied'), c('noticed')])).toBe(false)
    expect(mayApply(true, 'enrolled', [c('approved')])).toBe(false) // already a beneficiary
  })
  it('says what came of each', () => {
    const base = { amount_fen: null, certificate_no: null, decided_on: null }
    expect(caseResult({ ...base, state: 'approved', amount_fen: 123400, certificate_no: '330523-2026-7', decided_on: '2026-05-06' }))
      .toEqual({ key: 'approved', amountFen: 123400, certificateNo: '330523-2026-7', date: '2026-05-06' })
    expect(caseResult({ ...base, state: 'denied', decided_on: '2026-05-06' })).toEqual({ key: 'denied', date: '2026-05-06' })
    expect(caseResult({ ...base, state: 'not_accepted' })).toEqual({ key: 'notAccepted' })
    expect(caseResult({ ...base, state: 'noticed', amount_fen: 5 })).toEqual({ key: 'pending' })
  })
  it('lists the latest application first, whatever the precision of the times', () => {
    const rows = [
      { id: 1, submitted_at: '2025-03-01T09:00:00.5+08:00' },
      { id: 3, submitted_at: '2026-01-02T09:00:00.123456+08:00' },
      { id: 2, submitted_at: '2026-01-02T01:00:00.9Z' }, // 09:00:00.9 in China: later than id 3
      { id: 4, submitted_at: '2025-03-01T09:00:00.5+08:00' },
    ]
    expect(latestFirst(rows).map((r) => r.id)).toEqual([2, 3, 4, 1])
    expect(rows.map((r) => r.id)).toEqual([1, 3, 2, 4]) // a copy, not sorted in place
  })
})

describe('the attachments of a visit or an evaluation', () => {
  const file = (id: number) => ({ id, file_name: `${id}.png`, content_type: 'image/png', size_bytes: 10, removed: false })
  const event = (id: number, detail: Record<string, unknown>, files: number[]): TimelineEvent => ({
    id, at: '2026-05-06T10:00:00+08:00', actor_id: 1, actor_name: '王丽', action: 'record_visit', from_state: 'investigating',
    to_state: 'investigating', opinion: '', attachments: files, attachment_files: files.map(file), detail,
  })
  const timeline = [event(1, {}, [9]), event(2, { visit_id: 7, kind: 'home' }, [3, 4]), event(3, { evaluation_id: 7 }, [5]), event(4, { visit_id: 8 }, [])]
  it('come from the entry that recorded it', () => {
    expect(filesOf(timeline, 'visit_id', 7).map((f) => f.id)).toEqual([3, 4])
    expect(filesOf(timeline, 'evaluation_id', 7).map((f) => f.id)).toEqual([5])
    expect(filesOf(timeline, 'visit_id', 8)).toEqual([])
    expect(filesOf(timeline, 'visit_id', 99)).toEqual([])
  })
})
