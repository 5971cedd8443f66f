import { describe, expect, it } from 'vitest'
import { filenameOf } from '@/api/ledger'
import { barPercent, barStatus, finished, pollDelay, reasons, seconds } from '@/utils/ledger'

describe('ledger import job', () => {
  it('knows when a job has ended', () => {
    expect(finished({ status: 'queued' })).toBe(false)
    expect(finished({ status: 'running' })).toBe(false)
    expect(finished({ status: 'done' })).toBe(true)
    expect(finished({ status: 'failed' })).toBe(true)
  })

  it('shows a full bar once done and the server per cent before', () => {
    expect(barPercent({ status: 'running', percent: null })).toBe(0)
    expect(barPercent({ status: 'running', percent: 42 })).toBe(42)
    expect(barPercent({ status: 'running', percent: 140 })).toBe(100)
    expect(barPercent({ status: 'done', percent: 99 })).toBe(100)
  })

  it('colours the bar by the outcome', () => {
    expect(barStatus({ status: 'running', households_rejected: 3 })).toBe('')
    expect(barStatus({ status: 'done', households_rejected: 0 })).toBe('success')
    expect(barStatus({ status: 'done', households_rejected: 2 })).toBe('warning')
    expect(barStatus({ status: 'failed', households_rejected: 0 })).toBe('exception')
  })

  it('measures how long a job ran', () => {
    expect(seconds({ started_at: '2026-03-10T08:00:00Z', finished_at: '2026-03-10T08:00:12.345Z' })).toBe(12.3)
    expect(seconds({ started_at: '2026-03-10T08:00:00Z', finished_at: null })).toBeNull()
  })

  it('puts a row\'s reasons on one line, naming their columns', () => {
    const ps = [
      { column: 'id_number', column_label: '身份证号', message: '校验位错误' },
      { column: '', column_label: '整行', message: '本户其他行有错误，整户未导入' },
    ]
    expect(reasons(ps)).toBe('身份证号：校验位错误；本户其他行有错误，整户未导入')
    expect(reasons([{ column: 'sex', column_label: 'sex', message: 'does not match' }], '; ', ': ')).toBe('sex: does not match')
  })

  it('asks less often as a job goes on', () => {
    expect(pollDelay(0)).toBeLessThan(pollDelay(20))
    expect(pollDelay(20)).toBeLessThan(pollDelay(100))
  })
})

describe('download names', () => {
  it('prefers the UTF-8 file name of Content-Disposition', () => {
    const header = `attachment; filename="ledger-import-7-rows-not-imported.xlsx"; filename*=UTF-8''%E5%8F%B0%E8%B4%A6%E5%AF%BC%E5%85%A57-%E6%9C%AA%E5%AF%BC%E5%85%A5%E7%9A%84%E8%A1%8C.xlsx`
    expect(filenameOf(header)).toBe('台账导入7-未导入的行.xlsx')
    expect(filenameOf('attachment; filename="a.xlsx"')).toBe('a.xlsx')
    expect(filenameOf(null)).toBe('')
  })
})
