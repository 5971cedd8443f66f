import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter, type RouteLocationNormalized } from 'vue-router'
import type { SessionUser } from '@/api/types'
import { decide, safeRedirect, type GuardSession } from '@/router/guard'
import { routes } from '@/router/routes'

const router = createRouter({ history: createMemoryHistory(), routes })
const to = (path: string) => router.resolve(path) as unknown as RouteLocationNormalized

const clerk: SessionUser = {
  id: 5,
  username: 'ax.clerk',
  display_name: '王丽',
  division_code: '330523101',
  division_name: '梅溪镇',
  county_code: '330523',
  must_change_password: false,
}

function signedIn(permissions: string[], user: Partial<SessionUser> = {}): GuardSession {
  return { user: { ...clerk, ...user }, can: (p) => !p || permissions.includes(p) }
}
const signedOut: GuardSession = { user: null, can: () => false }

describe('router guard', () => {
  it('sends a signed-out user to sign in, remembering where they were going', () => {
    expect(decide(to('/system/status?x=1'), signedOut)).toEqual({ name: 'login', query: { redirect: '/system/status?x=1' } })
    expect(decide(to('/'), signedOut)).toEqual({ name: 'login', query: {} })
  })

  it('lets anyone see the sign-in page and unknown addresses', () => {
    expect(decide(to('/login'), signedOut)).toBe(true)
    expect(decide(to('/no/such/page'), signedOut)).toBe(true)
  })

  it('sends a signed-in user away from the sign-in page', () => {
    expect(decide(to('/login?redirect=/account/password'), signedIn([]))).toBe('/account/password')
    expect(decide(to('/login?redirect=//evil.example'), signedIn([]))).toBe('/')
  })

  it('refuses a page without its permission and shows 403 at the same address', () => {
    const target = decide(to('/system/status'), signedIn(['household:read']))
    expect(target).toMatchObject({ name: 'forbidden' })
    const resolved = router.resolve(target as Exclude<typeof target, true>)
    expect(resolved.name).toBe('forbidden')
    expect(resolved.fullPath).toBe('/system/status')
  })

  it('allows a page when the permission is held', () => {
    expect(decide(to('/system/status'), signedIn(['platform:health']))).toBe(true)
    expect(decide(to('/'), signedIn([]))).toBe(true)
  })

  it('holds a user who must change their password on that page', () => {
    const user = { must_change_password: true }
    expect(decide(to('/'), signedIn([], user))).toEqual({ name: 'change-password' })
    expect(decide(to('/system/status'), signedIn(['platform:health'], user))).toEqual({ name: 'change-password' })
    expect(decide(to('/account/password'), signedIn([], user))).toBe(true)
  })

  it('matches unknown addresses to the 404 page', () => {
    expect(router.resolve('/no/such/page').name).toBe('not-found')
  })

  it('lets anyone, signed in or not, reach the public notices without a session', () => {
    const page = to('/public/notices?county=330523')
    expect(page.name).toBe('public-notices')
    expect(page.meta.sessionless).toBe(true)
    expect(decide(page, signedOut)).toBe(true)
    expect(decide(page, signedIn([]))).toBe(true)
    expect(router.resolve('/public').matched.length).toBeGreaterThan(0)
  })
})

describe('safeRedirect', () => {
  it.each([
    ['/account/password', '/account/password'],
    ['/system/status?tab=1', '/system/status?tab=1'],
    ['//evil.example/x', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example', '/'],
    [undefined, '/'],
    [['/a', '/b'], '/'],
  ])('%j → %s', (value, expected) => {
    expect(safeRedirect(value)).toBe(expected)
  })
})
