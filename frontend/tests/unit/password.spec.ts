import { describe, expect, it } from 'vitest'
import { characterClasses, checkPassword } from '@/utils/password'

describe('password policy', () => {
  it('counts character classes', () => {
    expect(characterClasses('')).toBe(0)
    expect(characterClasses('abc')).toBe(1)
    expect(characterClasses('aB3')).toBe(3)
    expect(characterClasses('aB3@')).toBe(4)
    expect(characterClasses('密码')).toBe(1) // neither letter case nor digit: counts as a symbol
  })

  it.each([
    ['Dibao@2026', null],
    ['abcdEF12', null], // lower, upper, digit
    ['abcd12#$', null], // lower, digit, symbol
    ['ABCD12#$', null], // upper, digit, symbol
    ['', 'required'],
    ['Ab1@xyz', 'tooShort'], // 7 characters, 4 classes
    ['abcdefgh', 'tooFewClasses'],
    ['abcdefg1', 'tooFewClasses'], // only 2 classes
    ['ABCDEFG!', 'tooFewClasses'],
    ['12345678', 'tooFewClasses'],
  ] as const)('%j → %s', (password, problem) => {
    expect(checkPassword(password)).toBe(problem)
  })
})
