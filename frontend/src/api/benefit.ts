import { request } from './client'

// Benefit standards, county benefit settings, beneficiaries and certificates (backend
// package enrolment). Money is always an integer number of fen.

export type Category = 'urban' | 'rural'
export type MemberClass = 'elderly' | 'minor' | 'severe_disability' | 'serious_illness'
export type Rounding = 'half_up' | 'up' | 'down'

export interface Standard {
  id: number
  county_code: string
  category: Category
  monthly_fen: number
  /** 2026-12 */
  effective_month: string
  note: string
  created_by: string
  created_at: string
}

export interface StandardsView {
  county_code: string
  county_name: string
  current_month: string
  urban: Standard | null
  rural: Standard | null
  /** Newest effective month first, upcoming ones included. */
  history: Standard[]
  can_manage: boolean
  /** County-wide, only for those who may add standards. */
  active_beneficiaries?: Record<Category, number>
}

export interface StandardRequest {
  county_code?: string
  category: Category
  monthly_fen: number
  effective_month: string
  note?: string
}

export interface StandardCreated {
  standard: Standard
  recomputed: number
  changed: number
  not_eligible: number
}

export interface Supplement {
  share_bp: number
  fixed_fen: number
}

export interface BenefitSettings {
  county_code: string
  elderly_age: number
  supplements: Record<MemberClass, Supplement>
  rounding: Rounding
  minimum_payment_fen: number
  individual_ceiling_bp: number
  individual_share_bp: number
  gradual_exit_months: number
  /** 0 while the county uses the defaults. */
  version: number
  updated_at?: string
}

export type BenefitSettingsUpdate = Partial<Omit<BenefitSettings, 'county_code' | 'updated_at'>>

export interface Beneficiary {
  id: number
  household_id: number
  county_code: string
  division_code: string
  division_name: string
  township_name: string
  head_name: string
  /** Always masked: 330523********1234 */
  head_id_number_masked: string
  category: Category
  status: 'active' | 'suspended' | 'stopped'
  recheck_class: 'A' | 'B' | 'C'
  covered_count: number
  amount_fen: number
  amount_from: string
  start_month: string
  decided_on: string
  case_id: number | null
  certificate_no: string
  enrolled_at: string
}

export interface BeneficiaryPage {
  items: Beneficiary[]
  next_cursor?: string
}

export interface BeneficiaryQuery {
  division?: string
  category?: Category | ''
  status?: Beneficiary['status'] | ''
  q?: string
  after?: string
  limit?: number
}

export interface MemberView {
  id: string
  name: string
  relation: string
  id_number_masked: string
  age: number
  covered: boolean
  classes: MemberClass[]
}

export interface SupplementLine {
  member_id: string
  class: MemberClass
  amount_fen: number
}

export interface AmountResult {
  eligible: boolean
  individual: boolean
  reason: string
  standard_fen: number
  household_size: number
  household_income_fen: number
  per_capita_income_fen: number
  covered_members: string[]
  gap_fen: number
  supplements: SupplementLine[]
  supplement_fen: number
  unrounded_fen: number
  amount_fen: number
}

export interface AmountRules {
  standard_fen: number
  supplements: Partial<Record<MemberClass, Supplement>>
  rounding: Rounding | ''
  minimum_payment_fen: number
  individual_ceiling_bp: number
  individual_share_bp: number
}

export interface Computation {
  id: number
  reason: 'enrolment' | 'standard_change' | 'quote'
  computed_on: string
  effective_month: string
  standard_id: number
  members: MemberView[]
  rules: AmountRules
  result: AmountResult
  created_at: string
}

export interface AmountChange {
  id: number
  reason: 'enrolment' | 'standard_change'
  effective_month: string
  before_fen: number
  after_fen: number
  standard_fen: number | null
  created_at: string
}

export interface BeneficiaryDetail extends Beneficiary {
  working: Computation
  changes: AmountChange[]
}

export interface CertificateMember {
  name: string
  relation: string
  age: number
}

export interface Certificate {
  certificate_no: string
  status: 'valid' | 'revoked'
  issued_on: string
  issuer: string
  county_code: string
  county_name: string
  township_name: string
  village_name: string
  division_code: string
  head_name: string
  head_id_number_masked: string
  category: Category
  covered_count: number
  covered_members: CertificateMember[]
  amount_fen: number
  amount_from: string
  start_month: string
  beneficiary_id: number
  beneficiary_status: Beneficiary['status']
}

function query(q: BeneficiaryQuery): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(q)) {
    if (value !== undefined && value !== '' && value !== null) params.set(key, String(value))
  }
  const s = params.toString()
  return s ? `?${s}` : ''
}

export const benefitApi = {
  standards: (division?: string) =>
    request<StandardsView>('GET', `/api/v1/standards${division ? `?division=${encodeURIComponent(division)}` : ''}`),
  createStandard: (body: StandardRequest) => request<StandardCreated>('POST', '/api/v1/standards', { body }),
  settings: (county: string) => request<BenefitSettings>('GET', `/api/v1/counties/${encodeURIComponent(county)}/benefit-settings`),
  updateSettings: (county: string, body: BenefitSettingsUpdate) =>
    request<BenefitSettings>('PUT', `/api/v1/counties/${encodeURIComponent(county)}/benefit-settings`, { body }),
  beneficiaries: (q: BeneficiaryQuery) => request<BeneficiaryPage>('GET', `/api/v1/beneficiaries${query(q)}`),
  beneficiary: (id: number | string) => request<BeneficiaryDetail>('GET', `/api/v1/beneficiaries/${encodeURIComponent(String(id))}`),
  certificate: (no: string) => request<Certificate>('GET', `/api/v1/certificates/${encodeURIComponent(no)}`),
}
