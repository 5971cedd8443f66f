import { createHmac } from 'node:crypto'
import { expect, test, type Page } from '@playwright/test'
import { fillSignIn, screenshot, signIn } from './helpers'

// User management and 2-step sign-in. Works on an account it creates itself (a village
// worker of 梅溪村), so the demo accounts other specs use keep signing in with a password.

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret, as authenticator apps compute it. */
function totp(secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0')
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)))
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)))
  const mac = createHmac('sha1', key).update(counter).digest()
  const offset = mac[mac.length - 1] & 0x0f
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0')
}

async function changeForcedPassword(page: Page, current: string, next: string) {
  const fields = page.locator('.el-form input[type="password"]')
  await fields.nth(0).fill(current)
  await fields.nth(1).fill(next)
  await fields.nth(2).fill(next)
  await page.getByRole('button', { name: '保存' }).click()
}

test('a county administrator opens an account; its user changes the password, sets up 2-step sign-in, and is stopped when disabled', async ({ browser }) => {
  test.setTimeout(90_000)
  const username = `e2e.v${Date.now() % 1_000_000}`
  const adminContext = await browser.newContext()
  const admin = await adminContext.newPage()
  await signIn(admin, 'ax.admin')
  await admin.getByRole('menuitem', { name: '用户管理' }).click()
  await expect(admin.getByTestId('user-row-ax.village')).toBeVisible()
  await expect(admin.getByTestId('user-table')).toContainText('139****0006') // phones are masked
  await expect(admin.getByTestId('user-table')).not.toContainText('13900000006')
  await screenshot(admin, 'users-list')

  // The create dialog checks each field before asking the server.
  await admin.getByTestId('user-create').click()
  const form = admin.getByTestId('user-form')
  await form.getByTestId('user-username').fill('AB')
  await form.getByTestId('user-phone').fill('12345')
  await form.getByTestId('user-save').click()
  await expect(form.getByText('用户名须为 3–50 位小写字母')).toBeVisible()
  await expect(form.getByText('手机号须为 11 位数字')).toBeVisible()
  await expect(form.getByText('请选择所属区划')).toBeVisible()
  await screenshot(admin, 'users-create-invalid')

  await form.getByTestId('user-username').fill(username)
  await form.getByTestId('user-display-name').fill('测试村干部')
  await form.getByTestId('user-phone').fill('13712345678')
  await form.getByTestId('user-division').click()
  await admin.getByTestId('division-search').last().fill('梅溪村')
  await admin.getByTestId('division-hit-330523101201').click()
  await expect(form.getByTestId('user-division')).toHaveValue(/梅溪村 330523101201/)
  await form.getByTestId('user-role').click()
  await admin.getByTestId('user-role-option-village_worker').click()
  await form.getByTestId('user-save').click()

  const otp = admin.getByTestId('one-time-password')
  await expect(otp).toBeVisible()
  await admin.waitForTimeout(400) // let the dialog finish opening for the screenshot
  const password = (await otp.getByTestId('one-time-password-value').textContent())?.trim() ?? ''
  expect(password).toMatch(/^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$/)
  await screenshot(admin, 'users-one-time-password')
  await otp.getByTestId('one-time-password-done').click()
  await expect(admin.getByTestId(`user-row-${username}`)).toBeVisible()
  await expect(admin.getByTestId(`user-status-${username}`)).toHaveText('正常')

  // The grant dialog offers only what ax.admin may grant: no platform_admin, no county_admin.
  await admin.getByTestId(`user-roles-${username}`).click()
  const roles = admin.getByTestId('role-dialog')
  await expect(roles.getByTestId('role-list')).toContainText('低保工作小组成员')
  await roles.getByTestId('grant-role').click()
  await expect(admin.getByTestId('grant-role-option-village_worker')).toBeVisible()
  await expect(admin.getByTestId('grant-role-option-security_admin')).toBeVisible()
  await expect(admin.getByTestId('grant-role-option-platform_admin')).toHaveCount(0)
  await expect(admin.getByTestId('grant-role-option-county_admin')).toHaveCount(0)
  await admin.waitForTimeout(400)
  await screenshot(admin, 'users-grant-dialog')
  await roles.getByTestId('grant-role').click() // closes the list again
  await roles.getByTestId('role-dialog-close').click()
  await expect(roles).toBeHidden()

  // The new user signs in and must change the password before anything else.
  const userContext = await browser.newContext()
  const user = await userContext.newPage()
  await user.goto('/login')
  await fillSignIn(user, username, password)
  await expect(user).toHaveURL(/\/account\/password$/)
  await user.goto('/users')
  await expect(user).toHaveURL(/\/account\/password$/)
  await screenshot(user, 'users-forced-password-change')
  await changeForcedPassword(user, password, 'Meixi#2026a')
  await expect(user.getByText('密码已修改')).toBeVisible()
  await expect(user.getByTestId('user-name')).toHaveText('测试村干部')

  // 2-step sign-in: set up with the QR code (or the key), then sign in with a code.
  await user.getByRole('menuitem', { name: '账户安全' }).click()
  await user.getByTestId('mfa-start').click()
  await expect(user.getByTestId('mfa-qr')).toBeVisible()
  const secret = ((await user.getByTestId('mfa-secret').textContent()) ?? '').trim()
  expect(secret).toMatch(/^[A-Z2-7]{32}$/)
  await screenshot(user, 'mfa-enrol')
  await user.getByTestId('mfa-code').fill(totp(secret))
  await user.getByTestId('mfa-confirm').click()
  const recovery = user.getByTestId('mfa-recovery')
  await expect(recovery.locator('li')).toHaveCount(10)
  await screenshot(user, 'mfa-recovery-codes')
  await recovery.getByTestId('mfa-recovery-done').click()
  await expect(user.getByTestId('mfa-state')).toContainText('已绑定身份验证器')

  await user.getByRole('button', { name: '退出登录' }).click()
  await expect(user).toHaveURL(/\/login/)
  await fillSignIn(user, username, 'Meixi#2026a')
  const step = user.getByTestId('login-code-step')
  await expect(step).toBeVisible()
  await step.locator('input[name="totp-code"]').fill('000000' === totp(secret, Date.now() + 30_000) ? '111111' : '000000')
  await step.getByTestId('login-code-submit').click()
  await expect(user.getByTestId('login-code-error')).toContainText('不正确')
  await screenshot(user, 'mfa-sign-in-code')
  // The code of the next step: the one of this step was used to confirm the set-up.
  await step.locator('input[name="totp-code"]').fill(totp(secret, Date.now() + 30_000))
  await step.getByTestId('login-code-submit').click()
  await expect(user.getByTestId('user-name')).toHaveText('测试村干部')

  // Disabled by the administrator: the open session is sent back to sign in.
  await admin.getByTestId(`user-more-${username}`).click()
  await admin.getByTestId('user-action-disable').last().click()
  await admin.getByRole('button', { name: '停用' }).last().click()
  await expect(admin.getByTestId(`user-status-${username}`)).toHaveText('已停用')
  await expect(admin.locator('.el-message-box')).toBeHidden()
  await screenshot(admin, 'users-disabled')
  await user.getByRole('menuitem', { name: '工作台' }).click()
  await user.reload()
  await expect(user).toHaveURL(/\/login/)
  await fillSignIn(user, username, 'Meixi#2026a')
  await expect(user.getByTestId('login-error')).toContainText('账号已停用')

  await adminContext.close()
  await userContext.close()
})

test('the security administrator sets which roles need 2-step sign-in', async ({ page }) => {
  await signIn(page, 'ax.security')
  await page.getByRole('menuitem', { name: '安全设置' }).click()
  const settings = page.getByTestId('security-settings')
  await expect(settings).toContainText('县民政局审批人员')
  await settings.getByTestId('security-role-inspector').click()
  await settings.getByTestId('security-save').click()
  await expect(page.getByText('安全设置已保存')).toBeVisible()
  await screenshot(page, 'security-settings')
  // Put it back for the other specs.
  await settings.getByTestId('security-role-inspector').click()
  await settings.getByTestId('security-save').click()
  await expect(page.getByText('安全设置已保存').last()).toBeVisible()
})

test('the platform administrator opens a county administrator account and nothing else', async ({ page }) => {
  const username = `e2e.cx${Date.now() % 1_000_000}`
  await signIn(page, 'platform')
  await page.getByRole('menuitem', { name: '县管理员账号' }).click()
  await page.getByTestId('user-filter-county').fill('330522')
  await page.getByTestId('user-search').click()
  await expect(page.getByTestId('user-table')).not.toContainText('cx.clerk') // case workers are not the platform's
  await page.getByTestId('user-create').click()
  const form = page.getByTestId('user-form')
  await form.getByTestId('user-username').fill(username)
  await form.getByTestId('user-display-name').fill('长兴县管理员')
  await form.getByTestId('user-division').click()
  await page.getByTestId('division-search').last().fill('长兴县')
  await page.getByTestId('division-hit-330522').click()
  await form.getByTestId('user-role').click()
  await expect(page.getByTestId('user-role-option-county_approver')).toHaveCount(0)
  await expect(page.getByTestId('user-role-option-platform_admin')).toHaveCount(0)
  await page.getByTestId('user-role-option-county_admin').click()
  await form.getByTestId('user-save').click()
  await expect(page.getByTestId('one-time-password-value')).toHaveText(/^\S{4}-\S{4}-\S{4}$/)
  await page.getByTestId('one-time-password-done').click()
  await expect(page.getByTestId(`user-row-${username}`)).toBeVisible()
  await page.waitForTimeout(300)
  await screenshot(page, 'users-platform-county-admins')
})
