import type { ImportJob, Problem } from '@/api/ledger'

/** Whether a job has ended (nothing more to poll for). */
export function finished(job: Pick<ImportJob, 'status'>): boolean {
  return job.status === 'done' || job.status === 'failed'
}

/** The progress bar's value: the job's per cent, 0 while counting, 100 once done. */
export function barPercent(job: Pick<ImportJob, 'status' | 'percent'>): number {
  if (job.status === 'done') return 100
  return Math.max(0, Math.min(100, job.percent ?? 0))
}

/** The progress bar's colour state. */
export function barStatus(job: Pick<ImportJob, 'status' | 'households_rejected'>): '' | 'success' | 'warning' | 'exception' {
  if (job.status === 'failed') return 'exception'
  if (job.status !== 'done') return ''
  return job.households_rejected > 0 ? 'warning' : 'success'
}

/** How long a job ran, in seconds with one decimal (null until it has finished). */
export function seconds(job: Pick<ImportJob, 'started_at' | 'finished_at'>): number | null {
  if (!job.started_at || !job.finished_at) return null
  const ms = Date.parse(job.finished_at) - Date.parse(job.started_at)
  return Number.isFinite(ms) ? Math.round(ms / 100) / 10 : null
}

/** A refused row's reasons on one line: "身份证号：校验位错误；性别：与身份证号不符". */
export function reasons(problems: readonly Problem[], separator = '；', colon = '：'): string {
  return problems.map((p) => (p.column ? `${p.column_label}${colon}${p.message}` : p.message)).join(separator)
}

/** How often to ask for a running job's progress: often at first, then less. */
export function pollDelay(attempt: number): number {
  return attempt < 10 ? 400 : attempt < 40 ? 1000 : 2000
}
