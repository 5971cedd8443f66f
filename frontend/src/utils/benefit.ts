import type { AmountResult, AmountRules, MemberView, Rounding } from '@/api/benefit'
import { formatBP, formatYuan } from './money'

/** One line of an amount's working, as the beneficiary page lists it. */
export interface WorkingStep {
  label: string
  formula: string
  value: string
  /** A supplement line, indented under the gap payment. */
  sub?: boolean
  /** The monthly amount. */
  total?: boolean
}

type Translate = (key: string, values?: Record<string, unknown>) => string

/** Rounds fen to whole yuan as the server does (integers only). */
export function roundYuan(fen: number, mode: Rounding | ''): number {
  if (mode === 'up') return Math.ceil(fen / 100) * 100
  if (mode === 'down') return Math.floor(fen / 100) * 100
  return Math.floor((2 * fen + 100) / 200) * 100
}

/**
 * The working of a computed amount, step by step: the standard, the counted income and
 * income per person, the covered members and the gap payment, each member's supplement,
 * the total, rounding, the minimum payment, and the monthly amount.
 */
export function workingSteps(c: { rules: AmountRules; result: AmountResult; members: MemberView[] }, t: Translate): WorkingStep[] {
  const r = c.result
  const yuan = (fen: number) => t('benefit.detail.steps.yuan', { amount: formatYuan(fen) })
  const persons = (n: number) => t('benefit.detail.steps.persons', { n })
  const steps: WorkingStep[] = [
    { label: t('benefit.detail.steps.standard'), formula: '', value: yuan(r.standard_fen) },
    { label: t('benefit.detail.steps.income'), formula: '', value: yuan(r.household_income_fen) },
    { label: t('benefit.detail.steps.size'), formula: '', value: persons(r.household_size) },
    {
      label: t('benefit.detail.steps.perCapita'),
      formula: r.household_size > 0 ? t('benefit.detail.steps.perCapitaFormula', { income: formatYuan(r.household_income_fen), n: r.household_size }) : '',
      value: yuan(r.per_capita_income_fen),
    },
  ]
  if (!r.eligible) {
    steps.push({ label: t('benefit.detail.steps.amount'), formula: '', value: yuan(0), total: true })
    return steps
  }
  const n = r.covered_members.length
  steps.push({ label: t('benefit.detail.steps.covered'), formula: '', value: persons(n) })
  steps.push({
    label: t('benefit.detail.steps.gap'),
    formula: r.individual
      ? t('benefit.detail.steps.individualFormula', { standard: formatYuan(r.standard_fen), share: formatBP(c.rules.individual_share_bp), n })
      : t('benefit.detail.steps.gapFormula', { standard: formatYuan(r.standard_fen), perCapita: formatYuan(r.per_capita_income_fen), n }),
    value: yuan(r.gap_fen),
  })
  const names = new Map(c.members.map((m) => [m.id, m.name]))
  for (const s of r.supplements) {
    const rule = c.rules.supplements[s.class]
    steps.push({
      label: t('benefit.detail.steps.supplement', { name: names.get(s.member_id) ?? s.member_id, class: t(`benefit.classes.${s.class}`) }),
      formula: rule && rule.share_bp > 0
        ? t('benefit.detail.steps.shareRule', { standard: formatYuan(r.standard_fen), share: formatBP(rule.share_bp) })
        : t('benefit.detail.steps.fixedRule', { amount: formatYuan(s.amount_fen) }),
      value: yuan(s.amount_fen),
      sub: true,
    })
  }
  steps.push({ label: t('benefit.detail.steps.unrounded'), formula: '', value: yuan(r.unrounded_fen) })
  const rounded = roundYuan(r.unrounded_fen, c.rules.rounding)
  const mode = c.rules.rounding || 'half_up'
  steps.push({ label: t('benefit.detail.steps.rounding', { mode: t(`benefit.settings.roundingModes.${mode}`) }), formula: '', value: yuan(rounded) })
  if (r.amount_fen > rounded) {
    steps.push({ label: t('benefit.detail.steps.minimum', { amount: formatYuan(c.rules.minimum_payment_fen) }), formula: '', value: yuan(r.amount_fen) })
  }
  steps.push({ label: t('benefit.detail.steps.amount'), formula: '', value: yuan(r.amount_fen), total: true })
  return steps
}
