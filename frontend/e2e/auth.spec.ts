import { expect, test } from '@playwright/test'
import { cspViolations, fillSignIn, me, screenshot, signIn } from './helpers'

/** Matches the sign-in page set to return to path. */
const signInFor = (path: string) => (url: URL) => url.pathname === '/login' && url.searchParams.get('redirect') === path

test('a wrong password is refused with the server message', async ({ page }) => {
  await page.goto('/login')
  await expect(page).toHaveTitle(/低保综合管理平台/)
  await expect(page.getByRole('heading', { name: '用户登录' })).toBeVisible()
  await screenshot(page, 'login')

  await fillSignIn(page, 'ax.clerk', 'Wrong@Password1')
  const alert = page.getByTestId('login-error')
  await expect(alert).toBeVisible()
  await expect(alert).toContainText('用户名或密码错误')
  await expect(page).toHaveURL(/\/login/)
  await screenshot(page, 'login-error')
})

test('an unknown account is refused in the language chosen', async ({ page }) => {
  await page.goto('/login')
  await page.getByText('English', { exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()

  await fillSignIn(page, 'nobody.here', 'Wrong@Password1')
  await expect(page.getByTestId('login-error')).toContainText('Incorrect username or password')
})

test('an unreachable server gives a friendly message', async ({ page }) => {
  await page.goto('/login')
  await page.route('**/api/v1/auth/login', (route) => route.abort('connectionrefused'))
  await fillSignIn(page, 'nobody.here', 'Wrong@Password1')
  await expect(page.getByTestId('login-error')).toContainText('无法连接服务器，请检查网络后重试')
})

test('a township clerk signs in and sees the layout in Chinese', async ({ page }) => {
  const csp = cspViolations(page)
  await signIn(page, 'ax.clerk')
  const session = await me(page)
  expect(session.status).toBe(200)

  await expect(page).toHaveURL(/\/$/)
  await expect(page.getByTestId('user-name')).toHaveText(session.body.user.display_name)
  await expect(page.getByTestId('user-division')).toHaveText('梅溪镇')
  await expect(page.getByTestId('role-tag')).toContainText(['乡镇民政专职工作人员'])
  await expect(page.getByRole('menuitem', { name: '工作台' })).toBeVisible()
  await expect(page.getByRole('menuitem', { name: '修改密码' })).toBeVisible()
  await expect(page.getByRole('button', { name: '退出登录' })).toBeVisible()
  await expect(page.getByText('我可以办理的业务')).toBeVisible()
  await expect(page).toHaveTitle('工作台 - 低保综合管理平台')
  await screenshot(page, 'layout-zh')
  expect(csp).toEqual([])
})

test('switching to English changes the texts and survives a reload', async ({ page }) => {
  await signIn(page, 'ax.clerk')
  await page.getByText('English', { exact: true }).click()

  await expect(page.getByRole('menuitem', { name: 'Dashboard' })).toBeVisible()
  await expect(page.getByRole('menuitem', { name: 'Change password' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible()
  await expect(page.getByTestId('role-tag')).toContainText(['Township caseworker'])
  await expect(page.getByText('What I can do')).toBeVisible()
  await expect(page).toHaveTitle('Dashboard - Dibao — Minimum Living Allowance Platform')
  await screenshot(page, 'layout-en')

  await page.reload()
  await expect(page.getByRole('menuitem', { name: 'Dashboard' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible()
  await expect(page.locator('html')).toHaveAttribute('lang', 'en')
})

test('signing out returns to the sign-in page and ends the session', async ({ page }) => {
  await signIn(page, 'ax.clerk')
  await page.getByRole('button', { name: '退出登录' }).click()

  await expect(page).toHaveURL(/\/login/)
  await expect(page.getByTestId('login-notice')).toContainText('您已安全退出')
  expect((await me(page)).status).toBe(401)

  await page.goto('/')
  await expect(page).toHaveURL(/\/login/)
})

test('a reload keeps the session', async ({ page }) => {
  await signIn(page, 'ax.clerk')
  await page.getByRole('menuitem', { name: '修改密码' }).click()
  await expect(page).toHaveURL(/\/account\/password$/)

  await page.reload()
  await expect(page).toHaveURL(/\/account\/password$/)
  await expect(page.getByTestId('user-division')).toHaveText('梅溪镇')
  await expect(page.getByText('确认新密码')).toBeVisible()
  await screenshot(page, 'change-password')
})

test('signing in returns to the page first asked for', async ({ page }) => {
  await page.goto('/account/password')
  await expect(page).toHaveURL(signInFor('/account/password'))
  await fillSignIn(page, 'ax.clerk', 'Dibao@2026')
  await expect(page).toHaveURL(/\/account\/password$/)
})

test('an ended session sends the user back to sign in with a message', async ({ page, context }) => {
  await signIn(page, 'platform')
  await context.clearCookies()
  await page.getByRole('menuitem', { name: '系统状态' }).click()

  await expect(page).toHaveURL(signInFor('/system/status'))
  await expect(page.getByTestId('login-notice')).toContainText('登录已过期，请重新登录')
})
