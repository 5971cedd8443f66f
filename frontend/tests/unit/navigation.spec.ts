import { describe, expect, it } from 'vitest'
import { HomeFilled } from '@element-plus/icons-vue'
import { groupPermissions } from '@/navigation/permissions'
import { pages, visiblePages, type Page } from '@/navigation/pages'

const load = () => Promise.resolve({})

describe('menu filtering', () => {
  const all: Page[] = [
    { path: '/', name: 'home', title: 'menu.home', icon: HomeFilled, component: load },
    { path: '/households', name: 'households', title: 'menu.households', icon: HomeFilled, permission: 'household:read', component: load },
    { path: '/users', name: 'users', title: 'menu.users', icon: HomeFilled, permission: 'user:manage', component: load },
    { path: '/audit', name: 'audit', title: 'menu.audit', icon: HomeFilled, permission: 'audit:read', component: load },
  ]
  const names = (permissions: string[]) => visiblePages(all, new Set(permissions)).map((p) => p.name)

  it('shows pages without a permission to everyone', () => {
    expect(names([])).toEqual(['home'])
  })

  it('shows exactly the pages whose permission the user holds, in order', () => {
    expect(names(['audit:read', 'household:read', 'case:accept'])).toEqual(['home', 'households', 'audit'])
    expect(names(['user:manage'])).toEqual(['home', 'users'])
  })

  it('does not match on a permission prefix', () => {
    expect(names(['household:readonly', 'household'])).toEqual(['home'])
  })

  it('offers system status only with platform:health', () => {
    const real = (permissions: string[]) => visiblePages(pages, new Set(permissions)).map((p) => p.path)
    // Other screens come and go with features; only membership is asserted here.
    expect(real(['household:read', 'case:accept'])).not.toContain('/system/status')
    expect(real(['household:read', 'case:accept'])).toEqual(expect.arrayContaining(['/', '/account/password']))
    expect(real(['platform:health'])).toContain('/system/status')
    expect(real(['platform:health']).indexOf('/')).toBe(0)
  })
})

describe('groupPermissions', () => {
  it('groups actions by resource, casework first', () => {
    // The server sends permissions sorted alphabetically.
    expect(groupPermissions(['case:accept', 'case:accept', 'case:read', 'case:review', 'division:read', 'household:read', 'household:update'])).toEqual([
      { resource: 'case', actions: ['read', 'accept', 'review'] },
      { resource: 'household', actions: ['read', 'update'] },
      { resource: 'division', actions: ['read'] },
    ])
  })

  it('puts unknown resources last, in the order seen', () => {
    expect(groupPermissions(['zeta:read', 'alpha', 'platform:health'])).toEqual([
      { resource: 'platform', actions: ['health'] },
      { resource: 'zeta', actions: ['read'] },
      { resource: 'alpha', actions: [] },
    ])
  })
})
