import { describe, expect, it } from 'vitest'
import { formatBP, formatYuan, formatYuanShort, nextMonth, percentToBP, yuanToFen } from '@/utils/money'

describe('yuanToFen', () => {
  it('converts the decimal string exactly, never through floats', () => {
    expect(yuanToFen('1285')).toBe(128500)
    expect(yuanToFen('1285.1')).toBe(128510)
    expect(yuanToFen('1285.10')).toBe(128510)
    expect(yuanToFen('0.29')).toBe(29) // 0.29 * 100 is 28.999999999999996 in floating point
    expect(yuanToFen('1,285.57')).toBe(128557)
    expect(yuanToFen(' 1285 元')).toBe(128500)
    expect(yuanToFen('１２８５．５')).toBe(128550)
    expect(yuanToFen('1285.')).toBe(128500)
    expect(yuanToFen('10000000')).toBe(1_000_000_000)
  })

  it('refuses what is not an amount in yuan and fen', () => {
    for (const bad of ['', ' ', '-5', '1285.555', '12a', '1e3', '.5', '1.2.3', '10000000.01', '¥12']) {
      expect(yuanToFen(bad), bad).toBeNull()
    }
  })
})

describe('formatting', () => {
  it('shows fen as yuan', () => {
    expect(formatYuan(128510)).toBe('1,285.10')
    expect(formatYuan(5)).toBe('0.05')
    expect(formatYuan(-120000)).toBe('-1,200.00')
    expect(formatYuanShort(128500)).toBe('1,285')
    expect(formatYuanShort(128550)).toBe('1,285.50')
  })

  it('shows and reads basis points as percentages', () => {
    expect(formatBP(1500)).toBe('15%')
    expect(formatBP(1250)).toBe('12.5%')
    expect(formatBP(1)).toBe('0.01%')
    expect(percentToBP('12.5')).toBe(1250)
    expect(percentToBP('30%')).toBe(3000)
    expect(percentToBP('0.29')).toBe(29)
    expect(percentToBP('abc')).toBeNull()
  })

  it('finds the next month', () => {
    expect(nextMonth('2026-11')).toBe('2026-12')
    expect(nextMonth('2026-12-15')).toBe('2027-01')
  })
})
