import type { Component } from 'vue'
import { Calendar, Document, HomeFilled, Key, Lock, MapLocation, Monitor, OfficeBuilding, Setting, UserFilled } from '@element-plus/icons-vue'

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
  { path: '/calendar', name: 'calendar', title: 'menu.calendar', icon: Calendar, component: () => import('@/views/CalendarView.vue') },
  { path: '/divisions', name: 'divisions', title: 'divisions.menu.manage', icon: MapLocation, permission: 'division:read', component: () => import('@/views/divisions/DivisionsView.vue') },
  { path: '/counties', name: 'county-provision', title: 'divisions.menu.provision', icon: OfficeBuilding, permission: 'county:provision', component: () => import('@/views/divisions/CountyProvisionView.vue') },
  { path: '/users', name: 'users', title: 'users.menu.manage', icon: UserFilled, permission: 'user:read', component: () => import('@/views/users/UsersView.vue') },
  { path: '/platform/county-admins', name: 'county-admins', title: 'users.menu.countyAdmins', icon: UserFilled, permission: 'county:provision', component: () => import('@/views/users/UsersView.vue') },
  { path: '/security/settings', name: 'security-settings', title: 'users.menu.security', icon: Setting, permission: 'security:manage', component: () => import('@/views/users/SecuritySettingsView.vue') },
  { path: '/audit-log', name: 'audit-log', title: 'audit.menu', icon: Document, permission: 'audit:read', component: () => import('@/views/audit/AuditLogView.vue') },
  { path: '/account/security', name: 'account-security', title: 'mfa.menu', icon: Key, component: () => import('@/views/account/AccountSecurityView.vue') },
  { path: '/account/password', name: 'change-password', title: 'menu.changePassword', icon: Lock, component: () => import('@/views/ChangePasswordView.vue') },
]

/** The pages whose permission the user holds, in menu order. */
export function visiblePages(all: readonly Page[], permissions: ReadonlySet<string>): Page[] {
  return all.filter((page) => !page.permission || permissions.has(page.permission))
}
