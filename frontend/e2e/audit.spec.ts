import { expect, test, type APIRequestContext } from '@playwright/test'
import { DEMO_PASSWORD, fillSignIn, screenshot, signIn } from './helpers'

// The audit log screen (审计日志). ax.clerk's sign-ins are written to the log; the inspector
// finds them; the clerk has no way in; an audit administrator (opened here by ax.admin)
// checks the county's hash chain.

test('a township clerk has no audit log and gets 403 going there', async ({ page }) => {
  // A wrong password first, so the log has a failed sign-in with a reason to show.
  await page.goto('/login')
  await fillSignIn(page, 'ax.clerk', 'not-the-password')
  await expect(page.getByTestId('login-error')).toBeVisible()
  await signIn(page, 'ax.clerk')
  await expect(page.getByRole('menuitem', { name: '工作台' })).toBeVisible()
  await expect(page.getByRole('menuitem', { name: '审计日志' })).toHaveCount(0)

  await page.goto('/audit-log')
  await expect(page.getByTestId('forbidden')).toBeVisible()
  await expect(page).toHaveURL(/\/audit-log$/)
  await expect(page.getByTestId('audit-page')).toHaveCount(0)
  await screenshot(page, 'audit-403')
})

test("the inspector finds ax.clerk's sign-in in the log and filters by person", async ({ page }) => {
  await signIn(page, 'ax.inspector')
  await page.getByRole('menuitem', { name: '审计日志' }).click()
  await expect(page).toHaveURL(/\/audit-log$/)
  const table = page.getByTestId('audit-table')
  await expect(table).toContainText('王丽') // ax.clerk's display name
  await expect(table).toContainText('登录')
  await expect(table).toContainText('梅溪镇')
  await expect(table).toContainText('孙卫东') // the inspector's own sign-in
  // Times are Beijing time, to the second.
  await expect(table.locator('tbody tr').first()).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/)
  await screenshot(page, 'audit-log')

  // By person: only ax.clerk's entries remain, the failed sign-in among them.
  await page.getByTestId('audit-filter-actor').fill('ax.clerk')
  await page.getByTestId('audit-search').click()
  const rows = table.locator('tbody tr')
  await expect(table).not.toContainText('孙卫东')
  expect(await rows.count()).toBeGreaterThanOrEqual(2) // other specs sign ax.clerk in too
  for (const row of await rows.all()) await expect(row).toContainText('王丽')
  await expect(table).toContainText('失败')
  await expect(table).toContainText('成功')
  await screenshot(page, 'audit-log-by-person')

  // The failed one, opened: the reason is shown in words.
  await page.getByTestId('audit-filter-outcome').click()
  await page.locator('.el-select-dropdown__item').filter({ hasText: '失败' }).click()
  await page.getByTestId('audit-search').click()
  await expect(table).not.toContainText('成功')
  await rows.first().click()
  const drawer = page.getByTestId('audit-drawer')
  await expect(drawer).toBeVisible()
  await expect(drawer).toContainText('审计记录 #')
  await expect(drawer.getByTestId('audit-facts')).toContainText('密码错误')
  await expect(drawer).toContainText('哈希链')
  await expect(page.locator('.el-drawer__close-btn')).toBeInViewport({ ratio: 1 }) // opened all the way
  await screenshot(page, 'audit-detail-failed-sign-in')
  await page.keyboard.press('Escape')

  // Reset brings every entry back.
  await page.getByTestId('audit-reset').click()
  await expect(table).toContainText('孙卫东')
})

/** Signs in over the API and returns the CSRF token of the session. */
async function apiSignIn(request: APIRequestContext, username: string, password: string): Promise<string> {
  const res = await request.post('/api/v1/auth/login', { data: { username, password } })
  expect(res.status(), `sign in ${username}: ${await res.text()}`).toBe(200)
  return (await res.json()).csrf_token
}

test('an audit administrator checks the county hash chain and reads a before/after entry', async ({ page, playwright, baseURL }) => {
  test.setTimeout(60_000)
  const username = `e2e.audit${Date.now() % 1_000_000}`
  const password = 'Audit@2026x'

  // ax.admin opens the account (the user.create entry carries the new account as "after").
  const admin = await playwright.request.newContext({ baseURL })
  const adminCsrf = await apiSignIn(admin, 'ax.admin', DEMO_PASSWORD)
  const created = await admin.post('/api/v1/users', {
    headers: { 'X-CSRF-Token': adminCsrf },
    data: { username, display_name: '审计员测试', phone: '13712340000', division_code: '330523', roles: [{ role_key: 'audit_admin', division_code: '330523' }] },
  })
  expect(created.status(), `create the audit administrator: ${await created.text()}`).toBe(201)
  const oneTime = (await created.json()).initial_password as string
  await admin.dispose()
  const auditor = await playwright.request.newContext({ baseURL })
  const csrf = await apiSignIn(auditor, username, oneTime)
  const changed = await auditor.post('/api/v1/auth/password', {
    headers: { 'X-CSRF-Token': csrf },
    data: { current_password: oneTime, new_password: password },
  })
  expect(changed.status(), `first password change: ${await changed.text()}`).toBe(204)
  await auditor.dispose()

  await signIn(page, username, password)
  await page.getByRole('menuitem', { name: '审计日志' }).click()
  await page.getByTestId('audit-verify').click()
  const result = page.getByTestId('audit-verify-result')
  await expect(result).toBeVisible()
  await expect(result).toContainText('审计链完整')
  await screenshot(page, 'audit-verify-ok')

  // The account's creation, found by object, with the phone masked.
  await page.getByTestId('audit-filter-object-id').fill(username)
  await page.getByTestId('audit-search').click()
  const row = page.getByTestId('audit-table').locator('tbody tr').filter({ hasText: '新增用户' })
  await expect(row).toHaveCount(1)
  await row.click()
  const changes = page.getByTestId('audit-changes')
  await expect(changes).toContainText('审计员测试')
  await expect(changes).toContainText('137****0000')
  await expect(page.getByTestId('audit-drawer')).not.toContainText('13712340000')
  await expect(page.locator('.el-drawer__close-btn')).toBeInViewport({ ratio: 1 })
  await screenshot(page, 'audit-detail-user-create')
  await page.keyboard.press('Escape')

  // The check itself is in the log.
  await page.getByTestId('audit-reset').click()
  await expect(page.getByTestId('audit-table')).toContainText('校验审计链')
})
