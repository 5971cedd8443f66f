import { request } from './client'
import type { Household } from './households'

// The application workflow (backend package casework): cases, their steps and timeline,
// deadlines in working days, notices, the relatives register and spot checks. Every step
// sends the version of the case the user saw; the server answers the case as it stands,
// with allowed_actions: exactly what this user may do next.

export type CaseState =
  | 'submitted'
  | 'accepted'
  | 'not_accepted'
  | 'investigating'
  | 'evaluating'
  | 'township_reviewed'
  | 'noticed'
  | 'approved'
  | 'denied'

export const CASE_STATES: CaseState[] = [
  'submitted',
  'accepted',
  'investigating',
  'evaluating',
  'township_reviewed',
  'noticed',
  'approved',
  'denied',
  'not_accepted',
]

export type Action =
  | 'accept'
  | 'not_accept'
  | 'start_investigation'
  | 'record_check'
  | 'record_visit'
  | 'sign_visit'
  | 'refer_evaluation'
  | 'record_evaluation'
  | 'propose'
  | 'sign_off'
  | 'return_review'
  | 'post_notice'
  | 'record_objection'
  | 'record_county_visit'
  | 'approve'
  | 'deny'
  | 'extend_deadline'

export type Channel = 'window' | 'village' | 'online'
export const CHANNELS: Channel[] = ['village', 'window', 'online']
export type PanelKind = 'villager_representative' | 'cadre' | 'party_member' | 'other'
export const PANEL_KINDS: PanelKind[] = ['villager_representative', 'cadre', 'party_member', 'other']
export type CheckResult = 'consistent' | 'discrepancy' | 'no_record'
export const CHECK_RESULTS: CheckResult[] = ['consistent', 'discrepancy', 'no_record']
export const RELATIONS = ['spouse', 'parent', 'child', 'sibling', 'grandparent', 'grandchild', 'parent_in_law', 'child_in_law', 'sibling_in_law', 'other'] as const
export type RelativeRelation = (typeof RELATIONS)[number]

export interface Deadline {
  accepted_on: string
  due_on: string
  original_due_on: string
  extended: boolean
  extension_reason?: string
  /** Working days after today up to the deadline; negative once passed; null once decided. */
  workdays_left: number | null
  overdue: boolean
  due_soon: boolean
}

export interface Check {
  id: number
  round: number
  department: string
  result: CheckResult
  findings: string
  checked_on: string
  recorded_at: string
}

export interface Investigator {
  user_id: number
  name: string
  signed_at: string | null
}

export interface Visit {
  id: number
  round: number
  kind: 'home' | 'county'
  visited_on: string
  findings: string
  recorded_by: number
  recorded_at: string
  investigators: Investigator[]
  complete: boolean
}

export interface PanelMember {
  name: string
  kind: PanelKind
}

export interface Evaluation {
  id: number
  round: number
  held_on: string
  panel_size: number
  votes_for: number
  votes_against: number
  votes_abstain: number
  passed: boolean
  minutes: string
  recorded_at: string
  members: PanelMember[]
}

export interface AmountWorking {
  eligible: boolean
  individual: boolean
  reason: string
  standard_fen: number
  household_size: number
  household_income_fen: number
  per_capita_income_fen: number
  covered_members: string[]
  gap_fen: number
  supplements: { member_id: string; class: string; amount_fen: number }[]
  supplement_fen: number
  unrounded_fen: number
  amount_fen: number
}

export interface Proposal {
  recommendation: 'approve' | 'deny'
  amount_fen: number | null
  reason?: string
  working: AmountWorking | null
  proposed_at: string | null
  proposed_by: string
  signed_off_at: string | null
  signed_off_by: string
}

export interface Notice {
  id: number
  case_id: number
  round: number
  starts_on: string
  ends_on: string
  head_name: string
  village_name: string
  covered_people: number
  monthly_amount_fen: number
  category: 'urban' | 'rural'
  text: string
  status: 'open' | 'objected' | 'completed'
  posted_at: string
}

export interface Objection {
  id: number
  notice_id: number
  source: 'village' | 'public'
  received_on: string
  content: string
  objector: string
  recorded_at: string
  /** From the public portal only: the objector's phone, masked ('' when none was left). */
  phone_masked: string
  /** From the public portal only: the receipt code the objector was given. */
  receipt_code: string | null
}

/** A public objector's phone in full (POST …/objections/:id/phone, household:reveal; audited). */
export interface ObjectionPhone {
  objection_id: number
  value: string
  masked: string
  show_seconds: number
}

export interface Decision {
  outcome: 'approved' | 'denied'
  decided_on: string
  decided_by: string
  level: 'county' | 'township'
  denial_reason?: string
  certificate_no?: string
  amount_fen?: number
  start_month?: string
  recheck_class?: string
}

export interface TimelineEvent {
  id: number
  at: string
  actor_id: number | null
  actor_name: string
  action: Action | 'submit' | 'spot_check_drawn'
  from_state: CaseState
  to_state: CaseState
  opinion: string
  attachments: number[]
  /** The attachments named, in the order of attachments; a removed one is no longer served. */
  attachment_files: EventFile[]
  detail: Record<string, unknown>
}

/** A registry attachment cited on a timeline entry (download it from the household). */
export interface EventFile {
  id: number
  file_name: string
  content_type: string
  size_bytes: number
  removed: boolean
}

export interface CaseDetail {
  id: number
  case_no: string
  county_code: string
  division_code: string
  state: CaseState
  version: number
  round: number
  channel: Channel
  applicant_name: string
  application_reason: string
  /** The signed authorisation and its scan, when one was attached (file names it). */
  authorisation: { signed_on: string; attachment_id: number | null; file: EventFile | null }
  submitted_at: string
  household: Household
  income: {
    household_size: number
    counted_monthly_fen: number
    per_capita_monthly_fen: number
    proposal_per_capita_fen: number | null
    proposal_household_size: number | null
  }
  deadline: Deadline | null
  evaluation_required: boolean
  checks: Check[]
  visits: Visit[]
  evaluations: Evaluation[]
  proposal: Proposal | null
  notices: Notice[]
  objections: Objection[]
  not_accepted_reason?: string
  decision: Decision | null
  relative_flag: boolean
  county_visit_done: boolean
  spot_check_id: number | null
  recused: boolean
  timeline: TimelineEvent[]
  allowed_actions: Action[]
  pending_signatures: number[]
  notice_days: number
  extended_workdays: number
  decision_delegated: boolean
}

export interface CaseSummary {
  id: number
  case_no: string
  division_code: string
  village_name: string
  household_id: number
  head_name: string
  category: 'urban' | 'rural'
  applicant_name: string
  state: CaseState
  version: number
  channel: Channel
  submitted_at: string
  accepted_on: string | null
  due_on: string | null
  extended: boolean
  workdays_left: number | null
  overdue: boolean
  due_soon: boolean
  relative_flag: boolean
  recommendation: 'approve' | 'deny' | null
  proposed_amount_fen: number | null
  /** The approved monthly amount. */
  amount_fen: number | null
  decided_on: string | null
  certificate_no: string | null
  spot_check_id: number | null
}

export interface CasePage {
  items: CaseSummary[]
  next_cursor: string
}

export type CaseList = 'all' | 'due-soon' | 'overdue'

export interface CaseQuery {
  division?: string
  /** A state, several joined by commas, 'open' (default) or 'all'. */
  state?: string
  queue?: 'decision'
  /** One household's cases. */
  household_id?: number
  after?: string
  limit?: number
}

export interface NoticeItem extends Notice {
  case_no: string
  division_code: string
}

export interface NoticePage {
  items: NoticeItem[]
  next_cursor: string
}

export interface Candidate {
  user_id: number
  name: string
  role_key: string
  division_code: string
}

export interface Letter {
  kind: 'not_accepted' | 'denied'
  case_no: string
  applicant_name: string
  head_name: string
  village_name: string
  township_name: string
  county_name: string
  submitted_on: string
  decided_on: string
  reason: string
  issuer: string
  deliver_by: string
}

export interface Relative {
  id: number
  name: string
  relation: RelativeRelation
  id_number_masked: string
  created_at: string
}

export interface CaseSettings {
  decision_workdays: number
  extended_workdays: number
  notice_days: number
  evaluation_always: boolean
  decision_delegated: boolean
  spotcheck_percent: number
  updated_at?: string
}

export interface SpotCheck {
  id: number
  division_code: string
  decided_from: string
  decided_to: string
  percent: number
  seed: number
  population: number[]
  drawn: number[]
  ordered_by: number
  ordered_at: string
  cases: CaseSummary[]
}

export interface SpotCheckPage {
  items: SpotCheck[]
  next_cursor: string
  spotcheck_percent: number
}

export interface SubmitRequest {
  household_id: number
  channel: Channel
  applicant_name?: string
  application_reason?: string
  authorisation_signed_on: string
  authorisation_attachment_id?: number | null
  opinion?: string
  attachments?: number[]
}

/** Registry attachments of the case's household that back a step (their ids). */
interface Attached {
  attachments?: number[]
}

/** The body of each step, by the step's path. */
export interface StepBodies {
  accept: { opinion?: string } & Attached
  'not-accept': { reason: string } & Attached
  'start-investigation': { opinion?: string } & Attached
  checks: { department: string; result: CheckResult; findings?: string; checked_on: string } & Attached
  visits: { visited_on: string; investigator_ids: number[]; findings: string } & Attached
  'county-visits': { visited_on: string; investigator_ids: number[]; findings: string } & Attached
  'refer-evaluation': { opinion?: string } & Attached
  evaluations: Attached & {
    held_on: string
    members: PanelMember[]
    votes_for: number
    votes_against: number
    votes_abstain: number
    minutes: string
  }
  proposal: { recommendation: 'approve' | 'deny'; opinion?: string; reason?: string } & Attached
  'sign-off': { opinion?: string } & Attached
  return: { opinion: string } & Attached
  notices: { starts_on?: string; ends_on?: string; opinion?: string } & Attached
  objections: { received_on: string; content: string; objector?: string }
  approve: { opinion?: string } & Attached
  deny: { reason: string } & Attached
  extend: { reason: string } & Attached
}
export type Step = keyof StepBodies

/** The step (path) each action is taken with. */
export const ACTION_STEP: Record<Exclude<Action, 'sign_visit'>, Step> = {
  accept: 'accept',
  not_accept: 'not-accept',
  start_investigation: 'start-investigation',
  record_check: 'checks',
  record_visit: 'visits',
  record_county_visit: 'county-visits',
  refer_evaluation: 'refer-evaluation',
  record_evaluation: 'evaluations',
  propose: 'proposal',
  sign_off: 'sign-off',
  return_review: 'return',
  post_notice: 'notices',
  record_objection: 'objections',
  approve: 'approve',
  deny: 'deny',
  extend_deadline: 'extend',
}

function query(q: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s ? `?${s}` : ''
}

const LIST_PATH: Record<CaseList, string> = { all: '/api/v1/cases', 'due-soon': '/api/v1/cases/due-soon', overdue: '/api/v1/cases/overdue' }

export const casesApi = {
  list: (list: CaseList, q: CaseQuery) => request<CasePage>('GET', LIST_PATH[list] + query({ ...q })),
  get: (id: number) => request<CaseDetail>('GET', `/api/v1/cases/${id}`),
  submit: (body: SubmitRequest) => request<CaseDetail>('POST', '/api/v1/cases', { body }),
  step: <S extends Step>(id: number, step: S, version: number, body: StepBodies[S]) =>
    request<CaseDetail>('POST', `/api/v1/cases/${id}/${step}`, { body: { version, ...body } }),
  sign: (id: number, visit: number, version: number) =>
    request<CaseDetail>('POST', `/api/v1/cases/${id}/visits/${visit}/sign`, { body: { version } }),
  investigators: (id: number, kind: 'home' | 'county') =>
    request<Candidate[]>('GET', `/api/v1/cases/${id}/investigators?kind=${kind}`),
  letter: (id: number) => request<Letter>('GET', `/api/v1/cases/${id}/letter`),
  objectionPhone: (id: number, objection: number) =>
    request<ObjectionPhone>('POST', `/api/v1/cases/${id}/objections/${objection}/phone`),
  notices: (q: { division?: string; status?: 'open' | 'all'; after?: string; limit?: number }) =>
    request<NoticePage>('GET', '/api/v1/notices' + query({ ...q })),
  relatives: () => request<Relative[]>('GET', '/api/v1/relatives'),
  addRelative: (body: { name: string; relation: RelativeRelation; id_number: string }) =>
    request<Relative>('POST', '/api/v1/relatives', { body }),
  removeRelative: (id: number) => request<void>('DELETE', `/api/v1/relatives/${id}`),
  settings: (county: string) => request<CaseSettings>('GET', `/api/v1/counties/${county}/settings/cases`),
  updateSettings: (county: string, body: Partial<CaseSettings>) =>
    request<CaseSettings>('PUT', `/api/v1/counties/${county}/settings/cases`, { body }),
  spotChecks: (division?: string, after?: string) => request<SpotCheckPage>('GET', '/api/v1/spot-checks' + query({ division, after })),
  orderSpotCheck: (body: { division?: string; decided_from: string; decided_to: string }) =>
    request<SpotCheck>('POST', '/api/v1/spot-checks', { body }),
}
