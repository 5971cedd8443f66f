import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '@/i18n/zh-CN'
import type { AmountResult, AmountRules, MemberView } from '@/api/benefit'
import { roundYuan, workingSteps } from '@/utils/benefit'

const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } })
const t = (key: string, values?: Record<string, unknown>) => i18n.global.t(key, values ?? {})

describe('roundYuan', () => {
  it('rounds to whole yuan as the server does', () => {
    expect(roundYuan(362550, 'half_up')).toBe(362600)
    expect(roundYuan(362549, 'half_up')).toBe(362500)
    expect(roundYuan(362501, 'up')).toBe(362600)
    expect(roundYuan(362599, 'down')).toBe(362500)
    expect(roundYuan(362550, '')).toBe(362600)
  })
})

describe('workingSteps', () => {
  const members: MemberView[] = [
    { id: '1', name: '张建国', relation: 'self', id_number_masked: '', age: 45, covered: true, classes: [] },
    { id: '2', name: '李秀英', relation: 'spouse', id_number_masked: '', age: 43, covered: true, classes: ['severe_disability'] },
    { id: '3', name: '张小明', relation: 'child', id_number_masked: '', age: 10, covered: true, classes: ['minor'] },
  ]
  const rules: AmountRules = {
    standard_fen: 125000,
    supplements: { severe_disability: { share_bp: 3000, fixed_fen: 0 }, minor: { share_bp: 0, fixed_fen: 10000 } },
    rounding: 'half_up',
    minimum_payment_fen: 0,
    individual_ceiling_bp: 0,
    individual_share_bp: 0,
  }
  const result: AmountResult = {
    eligible: true, individual: false, reason: 'gap', standard_fen: 125000, household_size: 3, household_income_fen: 60000,
    per_capita_income_fen: 20000, covered_members: ['1', '2', '3'], gap_fen: 315000,
    supplements: [{ member_id: '2', class: 'severe_disability', amount_fen: 37500 }, { member_id: '3', class: 'minor', amount_fen: 10000 }],
    supplement_fen: 47500, unrounded_fen: 362500, amount_fen: 362500,
  }

  it('lists the standard, income, gap, each supplement and the amount', () => {
    const steps = workingSteps({ rules, result, members }, t)
    const text = steps.map((s) => `${s.label}|${s.formula}|${s.value}`)
    expect(text).toContain('补差金额|（1,250.00 − 200.00）× 3 人|3,150.00 元')
    expect(text).toContain('分类施保：李秀英（重度残疾人）|1,250.00 × 30%|375.00 元')
    expect(text).toContain('分类施保：张小明（未成年人）|固定 100.00 元|100.00 元')
    expect(steps.at(-1)).toMatchObject({ value: '3,625.00 元', total: true })
    expect(steps.some((s) => s.label.startsWith('最低发放金额'))).toBe(false)
  })

  it('shows the minimum payment when it lifted the amount', () => {
    const small = { ...result, gap_fen: 1500, supplements: [], supplement_fen: 0, unrounded_fen: 1500, amount_fen: 3000 }
    const steps = workingSteps({ rules: { ...rules, minimum_payment_fen: 3000 }, result: small, members }, t)
    expect(steps.find((s) => s.label.startsWith('最低发放金额'))?.value).toBe('30.00 元')
  })

  it('ends at zero for a household no longer eligible', () => {
    const steps = workingSteps({ rules, result: { ...result, eligible: false, reason: 'income_above_standard', amount_fen: 0 }, members }, t)
    expect(steps).toHaveLength(5)
    expect(steps.at(-1)?.value).toBe('0.00 元')
  })
})
