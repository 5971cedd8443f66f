import { expect, test } from '@playwright/test'
import { screenshot, signIn } from './helpers'

test('a clerk reads the 2026 holidays and computes a 30-working-day deadline', async ({ page }) => {
  await signIn(page, 'ax.clerk')
  await page.getByRole('menuitem', { name: '工作日历' }).click()
  await page.getByTestId('calendar-year').locator('input').fill('2026')
  await page.getByTestId('calendar-year').locator('input').press('Enter')
  const table = page.getByTestId('calendar-table')
  await expect(table.getByText('2026-10-01')).toBeVisible()
  await expect(table.getByText('国庆节调休上班')).toHaveCount(2) // 9/20 and 10/10
  await expect(page.getByTestId('calendar-add')).toHaveCount(0) // only the platform keeps the calendar

  await page.getByTestId('calc-from').locator('input').fill('2026-09-30')
  await page.getByTestId('calc-from').locator('input').press('Enter')
  await page.getByRole('button', { name: '计算' }).click()
  // 10/8, 10/9, the worked Saturday 10/10, five full weeks, then 11/16 and 11/17.
  await expect(page.getByTestId('calc-due')).toContainText('2026-11-17')
  await screenshot(page, 'calendar-clerk')
})

test('the platform administrator lists a 2027 holiday, refused on a weekday as make-up workday', async ({ page }) => {
  await signIn(page, 'platform')
  await page.goto('/calendar')
  await page.getByTestId('calendar-year').locator('input').fill('2027')
  await page.getByTestId('calendar-year').locator('input').press('Enter')
  await page.getByTestId('calendar-add').click()

  const dialog = page.locator('.el-dialog')
  await dialog.getByTestId('day-date').locator('input').fill('2027-01-05') // a Tuesday
  await dialog.getByTestId('day-date').locator('input').press('Enter')
  await dialog.getByText('调休上班', { exact: true }).click()
  await dialog.getByTestId('day-name').fill('测试调休')
  await dialog.getByTestId('day-save').click()
  await expect(dialog.getByText('调休上班日只能是周六或周日')).toBeVisible()

  await dialog.getByText('放假', { exact: true }).click()
  await dialog.getByTestId('day-date').locator('input').fill('2027-01-01')
  await dialog.getByTestId('day-date').locator('input').press('Enter')
  await dialog.getByTestId('day-name').fill('元旦')
  await dialog.getByTestId('day-save').click()
  await expect(page.getByTestId('calendar-table').getByText('2027-01-01')).toBeVisible()
  await expect(page.getByTestId('calendar-table').getByText('元旦')).toBeVisible()
  await screenshot(page, 'calendar-platform')

  // Remove it again so the data is as it was.
  await page.getByTestId('calendar-table').getByRole('button', { name: '删除' }).click()
  await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click()
  await expect(page.getByTestId('calendar-table').getByText('2027-01-01')).toHaveCount(0)
})
