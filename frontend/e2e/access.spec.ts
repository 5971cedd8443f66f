import { expect, test } from '@playwright/test'
import { cspViolations, screenshot, signIn } from './helpers'

test('the platform administrator sees the system status', async ({ page }) => {
  const csp = cspViolations(page)
  await signIn(page, 'platform')
  const item = page.getByRole('menuitem', { name: '系统状态' })
  await expect(item).toBeVisible()
  await item.click()

  await expect(page).toHaveURL(/\/system\/status$/)
  const status = page.getByTestId('system-status')
  await expect(status).toBeVisible()
  await expect(status).toContainText('软件版本')
  await expect(status).toContainText('数据库（PostgreSQL）')
  await expect(status.locator('.el-tag').first()).toHaveText(/正常|异常/)
  await screenshot(page, 'system-status')
  expect(csp).toEqual([])
})

test('a township clerk has no system status and gets 403 going there', async ({ page }) => {
  await signIn(page, 'ax.clerk')
  await expect(page.getByRole('menuitem', { name: '工作台' })).toBeVisible()
  await expect(page.getByRole('menuitem', { name: '系统状态' })).toHaveCount(0)

  await page.goto('/system/status')
  await expect(page.getByTestId('forbidden')).toBeVisible()
  await expect(page.getByText('无权访问', { exact: true })).toBeVisible()
  await expect(page).toHaveURL(/\/system\/status$/)
  await expect(page).toHaveTitle('无权访问 - 低保综合管理平台')
  await screenshot(page, '403')

  await page.getByRole('button', { name: '返回工作台' }).click()
  await expect(page).toHaveURL(/\/$/)
})

test('an unknown address shows the 404 page', async ({ page }) => {
  await page.goto('/no/such/page')
  await expect(page.getByTestId('not-found')).toBeVisible()
  await expect(page.getByText('页面不存在', { exact: true })).toBeVisible()
})
