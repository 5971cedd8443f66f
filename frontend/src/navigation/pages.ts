import type { Component } from 'vue'
import { Aim, Bell, Calendar, Coin, Connection, Document, Finished, HomeFilled, House, Key, Lock, MapLocation, Monitor, OfficeBuilding, SetUp, Setting, Stamp, Tickets, Upload, UserFilled } from '@element-plus/icons-vue'

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
  /** Reached by links from other screens (a detail or form page), not listed in the menu. */
  hidden?: boolean
  component: () => Promise<unknown>
}

export const pages: Page[] = [
  { path: '/', name: 'home', title: 'menu.home', icon: HomeFilled, component: () => import('@/views/HomeView.vue') },
  { path: '/households', name: 'households', title: 'households.menu', icon: House, permission: 'household:read', component: () => import('@/views/households/HouseholdsView.vue') },
  { path: '/households/new', name: 'household-new', title: 'households.form.createTitle', icon: House, permission: 'household:create', hidden: true, component: () => import('@/views/households/HouseholdFormView.vue') },
  { path: '/households/import', name: 'ledger-import', title: 'ledger.menu', icon: Upload, permission: 'household:import', component: () => import('@/views/ledger/LedgerImportView.vue') },
  { path: '/households/:id(\\d+)', name: 'household', title: 'households.list.title', icon: House, permission: 'household:read', hidden: true, component: () => import('@/views/households/HouseholdDetailView.vue') },
  { path: '/households/:id(\\d+)/edit', name: 'household-edit', title: 'households.actions.edit', icon: House, permission: 'household:update', hidden: true, component: () => import('@/views/households/HouseholdFormView.vue') },
  { path: '/cases', name: 'cases', title: 'cases.menu.work', icon: Stamp, permission: 'case:read', component: () => import('@/views/cases/CasesView.vue') },
  { path: '/cases/:id(\\d+)', name: 'case', title: 'cases.list.title', icon: Stamp, permission: 'case:read', hidden: true, component: () => import('@/views/cases/CaseDetailView.vue') },
  { path: '/cases/queue', name: 'case-queue', title: 'cases.menu.queue', icon: Finished, permission: 'case:decide', component: () => import('@/views/cases/DecisionQueueView.vue') },
  { path: '/notices', name: 'notices', title: 'cases.menu.notices', icon: Bell, permission: 'notice:read', component: () => import('@/views/cases/NoticesView.vue') },
  { path: '/relatives', name: 'relatives', title: 'cases.menu.relatives', icon: Connection, permission: 'relative:register', component: () => import('@/views/cases/RelativesView.vue') },
  { path: '/spot-checks', name: 'spot-checks', title: 'cases.menu.spotChecks', icon: Aim, permission: 'spotcheck:order', component: () => import('@/views/cases/SpotChecksView.vue') },
  { path: '/case-settings', name: 'case-settings', title: 'cases.menu.settings', icon: SetUp, permission: 'setting:manage', component: () => import('@/views/cases/CaseSettingsView.vue') },
  { path: '/system/status', name: 'system-status', title: 'menu.systemStatus', icon: Monitor, permission: 'platform:health', component: () => import('@/views/SystemStatusView.vue') },
  { path: '/calendar', name: 'calendar', title: 'menu.calendar', icon: Calendar, component: () => import('@/views/CalendarView.vue') },
  { path: '/divisions', name: 'divisions', title: 'divisions.menu.manage', icon: MapLocation, permission: 'division:read', component: () => import('@/views/divisions/DivisionsView.vue') },
  { path: '/counties', name: 'county-provision', title: 'divisions.menu.provision', icon: OfficeBuilding, permission: 'county:provision', component: () => import('@/views/divisions/CountyProvisionView.vue') },
  { path: '/users', name: 'users', title: 'users.menu.manage', icon: UserFilled, permission: 'user:read', component: () => import('@/views/users/UsersView.vue') },
  { path: '/platform/county-admins', name: 'county-admins', title: 'users.menu.countyAdmins', icon: UserFilled, permission: 'county:provision', component: () => import('@/views/users/UsersView.vue') },
  { path: '/security/settings', name: 'security-settings', title: 'users.menu.security', icon: Setting, permission: 'security:manage', component: () => import('@/views/users/SecuritySettingsView.vue') },
  { path: '/beneficiaries', name: 'beneficiaries', title: 'benefit.menu.beneficiaries', icon: Tickets, permission: 'beneficiary:read', component: () => import('@/views/benefit/BeneficiariesView.vue') },
  { path: '/beneficiaries/:id(\\d+)', name: 'beneficiary', title: 'benefit.detail.title', icon: Tickets, permission: 'beneficiary:read', hidden: true, component: () => import('@/views/benefit/BeneficiaryDetailView.vue') },
  { path: '/standards', name: 'standards', title: 'benefit.menu.standards', icon: Coin, permission: 'standard:read', component: () => import('@/views/benefit/StandardsView.vue') },
  { path: '/benefit-settings', name: 'benefit-settings', title: 'benefit.menu.settings', icon: SetUp, permission: 'setting:manage', component: () => import('@/views/benefit/BenefitSettingsView.vue') },
  { path: '/audit-log', name: 'audit-log', title: 'audit.menu', icon: Document, permission: 'audit:read', component: () => import('@/views/audit/AuditLogView.vue') },
  { path: '/account/security', name: 'account-security', title: 'mfa.menu', icon: Key, component: () => import('@/views/account/AccountSecurityView.vue') },
  { path: '/account/password', name: 'change-password', title: 'menu.changePassword', icon: Lock, component: () => import('@/views/ChangePasswordView.vue') },
]

/** The pages whose permission the user holds, in menu order. */
export function visiblePages(all: readonly Page[], permissions: ReadonlySet<string>): Page[] {
  return all.filter((page) => !page.hidden && (!page.permission || permissions.has(page.permission)))
}
