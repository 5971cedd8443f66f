import { describe, expect, it } from 'vitest'
import { validPhone } from '@/api/public'

describe('the portal phone rule (the server applies the same)', () => {
  it.each(['', '13857201234', '138 5720 1234', '0572-5012345', '05725012345', '010-12345678'])('accepts %j', (p) => {
    expect(validPhone(p)).toBe(true)
  })
  it.each(['12345', '12857201234', '1385720123', 'abc', '0572-012345', '+8613857201234'])('refuses %j', (p) => {
    expect(validPhone(p)).toBe(false)
  })
})
