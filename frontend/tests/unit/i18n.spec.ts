import { describe, expect, it } from 'vitest'
import en from '@/i18n/en'
import zhCN from '@/i18n/zh-CN'
import { RESOURCE_ORDER } from '@/navigation/permissions'

type Tree = { [key: string]: string | Tree }

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else for (const [k, v] of leaves(value, path)) out.set(k, v)
  }
  return out
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('message files', () => {
  const zh = leaves(zhCN)
  const english = leaves(en)

  it('have the same keys in both languages', () => {
    expect([...english.keys()].sort()).toEqual([...zh.keys()].sort())
  })

  it('have no empty messages', () => {
    for (const [key, text] of [...zh, ...english]) expect(text.trim(), key).not.toBe('')
  })

  it('use the same placeholders in both languages', () => {
    for (const [key, text] of zh) expect(placeholders(english.get(key) ?? ''), key).toEqual(placeholders(text))
  })

  it('name every role the server knows', () => {
    const roleKeys = [
      'platform_admin', 'county_admin', 'county_approver', 'township_leader', 'township_caseworker',
      'finance_officer', 'village_worker', 'inspector', 'security_admin', 'audit_admin',
    ]
    expect(Object.keys(zhCN.roles).sort()).toEqual([...roleKeys].sort())
    expect(zhCN.roles.township_caseworker).toBe('乡镇民政专职工作人员')
    expect(en.roles.township_caseworker).toBe('Township caseworker')
  })

  it('name every kind of work the dashboard lists', () => {
    expect(Object.keys(zhCN.resources).sort()).toEqual([...RESOURCE_ORDER].sort())
  })

  it('give the product its name in each language', () => {
    expect(zhCN.app.title).toBe('低保综合管理平台')
    expect(en.app.title).toBe('Dibao — Minimum Living Allowance Platform')
  })
})
