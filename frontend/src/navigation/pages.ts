import type { Component } from 'vue'
import { HomeFilled, Lock, Monitor } from '@element-plus/icons-vue'

/**
 * A screen inside the signed-in layout. Each one becomes a route and, when the
 * user holds its permission, a menu item. A new screen is one line here.
 */
export interface Page {
  path: string
  name: string
  /** vue-i18n key of the menu text and document title. */
  title: string
  icon: Component
  /** Permission the user must hold; none means every signed-in user. */
  permission?: string
  component: () => Promise<unknown>
}

export const pages: Page[] = [
  { path: '/', name: 'home', title: 'menu.home', icon: HomeFilled, component: () => import('@/views/HomeView.vue') },
  { path: '/system/status', name: 'system-status', title: 'menu.systemStatus', icon: Monitor, permission: 'platform:health', component: () => import('@/views/SystemStatusView.vue') },
  { path: '/account/password', name: 'change-password', title: 'menu.changePassword', icon: Lock, component: () => import('@/views/ChangePasswordView.vue') },
]

/** The pages whose permission the user holds, in menu order. */
export function visiblePages(all: readonly Page[], permissions: ReadonlySet<string>): Page[] {
  return all.filter((page) => !page.permission || permissions.has(page.permission))
}
