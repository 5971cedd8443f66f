import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { auditSearchParams } from '@/api/audit'
import zhCN from '@/i18n/zh-CN'
import en from '@/i18n/en'
import { pages, visiblePages } from '@/navigation/pages'
import { detailView, formatAuditTime, labelOr, outcomeTag, showValue } from '@/utils/audit'

describe('audit times', () => {
  it('are Beijing time to the second, whatever the offset they come with', () => {
    expect(formatAuditTime('2026-05-03T10:11:12.345678+08:00')).toBe('2026-05-03 10:11:12')
    expect(formatAuditTime('2026-05-03T18:30:00Z')).toBe('2026-05-04 02:30:00')
    expect(formatAuditTime('2026-12-31T16:00:00Z')).toBe('2027-01-01 00:00:00')
    expect(formatAuditTime('not a time')).toBe('not a time')
  })
})

describe('labels of actions and objects', () => {
  const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN, en } })
  const { t, te } = i18n.global
  const label = (ns: string, raw: string) => labelOr(ns, raw, (k) => te(k), (k) => t(k))

  it('translates known keys and shows unknown ones raw', () => {
    expect(label('audit.actions', 'auth.login')).toBe('登录')
    expect(label('audit.actions', 'access.denied')).toBe('越权访问被拒绝')
    expect(label('audit.actions', 'user.create')).toBe('新增用户')
    expect(label('audit.actions', 'household.merge')).toBe('household.merge')
    expect(label('audit.actions', 'auth')).toBe('auth') // a namespace is not a label
    expect(label('audit.objects', 'user')).toBe('用户')
    i18n.global.locale.value = 'en'
    expect(label('audit.actions', 'auth.login')).toBe('Sign in')
  })

  it('never hands odd text to the message lookup', () => {
    for (const odd of ['', 'Auth.Login', 'a..b', '{x}', 'a b', '@:menu.home', '../x']) {
      expect(label('audit.actions', odd)).toBe(odd)
    }
  })

  it('tags outcomes by how serious they are', () => {
    expect(outcomeTag('success')).toBe('success')
    expect(outcomeTag('failure')).toBe('warning')
    expect(outcomeTag('denied')).toBe('danger')
    expect(outcomeTag('other')).toBe('info')
  })
})

describe('entry detail', () => {
  it('puts before and after side by side and lists the other facts', () => {
    const v = detailView({
      before: { display_name: '王芳', phone: '138****1234', roles: ['a'] },
      after: { display_name: '王芳芳', phone: '139****5678', status: 'active' },
      reason: 'x',
      count: 2,
    })
    expect(v.hasBefore && v.hasAfter).toBe(true)
    expect(v.changes).toEqual([
      { field: 'display_name', before: '王芳', after: '王芳芳' },
      { field: 'phone', before: '138****1234', after: '139****5678' },
      { field: 'roles', before: '["a"]', after: '' },
      { field: 'status', before: '', after: 'active' },
    ])
    expect(v.facts).toEqual([{ key: 'count', value: '2' }, { key: 'reason', value: 'x' }])
  })

  it('handles creations, plain facts and no detail', () => {
    const created = detailView({ after: { name: '孝源村' } })
    expect(created.hasBefore).toBe(false)
    expect(created.changes).toEqual([{ field: 'name', before: '', after: '孝源村' }])
    expect(detailView({ before: 'not an object' }).facts).toEqual([{ key: 'before', value: 'not an object' }])
    expect(detailView(undefined)).toEqual({ changes: [], hasBefore: false, hasAfter: false, facts: [] })
    expect(showValue(null)).toBe('null')
    expect(showValue({ a: 1 })).toBe('{"a":1}')
  })
})

describe('search', () => {
  it('sends only the fields that are set', () => {
    expect(auditSearchParams({ division: '330523', actor: ' ax.clerk ', outcome: '', from: undefined, limit: 50 })).toBe(
      'division=330523&actor=ax.clerk&limit=50',
    )
    expect(auditSearchParams({ action: 'auth.*', actor: '王丽' })).toBe('action=auth.*&actor=%E7%8E%8B%E4%B8%BD')
  })

  it('is in the menu for inspectors and audit admins only', () => {
    const page = pages.find((p) => p.name === 'audit-log')
    expect(page?.permission).toBe('audit:read')
    expect(visiblePages(pages, new Set(['audit:read'])).some((p) => p.name === 'audit-log')).toBe(true)
    expect(visiblePages(pages, new Set(['case:read'])).some((p) => p.name === 'audit-log')).toBe(false)
  })
})
