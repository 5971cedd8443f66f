import type { RouteLocationNormalized, RouteLocationRaw } from 'vue-router'
import type { SessionUser } from '@/api/types'

declare module 'vue-router' {
  interface RouteMeta {
    /** vue-i18n key of the document title. */
    title?: string
    /** Reachable without signing in. */
    public?: boolean
    /** For visitors without an account (the public portal): no session is asked for. */
    sessionless?: boolean
    /** Permission the user must hold. */
    permission?: string
  }
}

/** What the guard needs to know about the session. */
export interface GuardSession {
  user: SessionUser | null
  can(permission: string | undefined): boolean
}

/** A same-site path to go to after signing in; anything else becomes "/". */
export function safeRedirect(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/'
  return value
}

/**
 * Decides where a navigation may go: true to proceed, or where to go instead.
 * Pure, so that it can be tested without a browser.
 */
export function decide(to: RouteLocationNormalized, session: GuardSession): true | RouteLocationRaw {
  if (to.meta.public) {
    if (to.name === 'login' && session.user) return safeRedirect(to.query.redirect)
    return true
  }
  if (!session.user) {
    return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  if (session.user.must_change_password && to.name !== 'change-password') {
    return { name: 'change-password' }
  }
  // A role that needs a second factor, in a county that enforces it: set one up first.
  if (!session.user.must_change_password && session.user.mfa_enrolment_required && to.name !== 'account-security') {
    return { name: 'account-security' }
  }
  if (!session.can(to.meta.permission)) {
    // Show the 403 page but keep the address the user asked for.
    return { name: 'forbidden', params: { pathMatch: to.path.slice(1).split('/') }, query: to.query, hash: to.hash }
  }
  return true
}
