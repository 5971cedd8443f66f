import { describe, expect, it } from 'vitest'
import type { PanelMember } from '@/api/cases'
import { addDays, checkPanel, deadlineText, panelPasses, stepIndex, stepsOf, todayInChina } from '@/utils/cases'

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
