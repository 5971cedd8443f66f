import { expect, test, type Page } from '@playwright/test'
import { DEMO_PASSWORD, fillSignIn, screenshot, signIn } from './helpers'

// Uses ax.village, which no other test signs in as, and puts its password back.
const USER = 'ax.village'
const NEW_PASSWORD = 'Village#2027'

async function changePassword(page: Page, current: string, next: string, confirm = next) {
  const fields = page.locator('.el-form input[type="password"]')
  await fields.nth(0).fill(current)
  await fields.nth(1).fill(next)
  await fields.nth(2).fill(confirm)
  await page.getByRole('button', { name: '保存' }).click()
}

test('a user changes their password, with the policy checked on the way', async ({ page }) => {
  await signIn(page, USER)
  await page.getByRole('menuitem', { name: '修改密码' }).click()

  await changePassword(page, DEMO_PASSWORD, 'abcdefgh', 'abcdefgx')
  await expect(page.getByText('新密码须包含大写字母、小写字母、数字、符号中的至少 3 类')).toBeVisible()
  await expect(page.getByText('两次输入的新密码不一致')).toBeVisible()
  await screenshot(page, 'change-password-invalid')

  await changePassword(page, 'Not-the@password1', NEW_PASSWORD)
  await expect(page.getByTestId('password-error')).toContainText('用户名或密码错误')
  await expect(page).toHaveURL(/\/account\/password$/)

  await changePassword(page, DEMO_PASSWORD, NEW_PASSWORD)
  await expect(page.getByText('密码已修改')).toBeVisible()

  await page.getByRole('button', { name: '退出登录' }).click()
  await expect(page).toHaveURL(/\/login/)
  await fillSignIn(page, USER, NEW_PASSWORD)
  await expect(page.getByTestId('user-name')).toBeVisible()

  await page.goto('/account/password')
  await changePassword(page, NEW_PASSWORD, DEMO_PASSWORD)
  await expect(page.getByText('密码已修改')).toBeVisible()
})
