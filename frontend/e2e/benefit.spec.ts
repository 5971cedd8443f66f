import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, test } from '@playwright/test'
import { screenshot, signIn } from './helpers'

// Benefit standards, settings, beneficiaries and the certificate (低保证). The demo data
// (dibao seed demo) gives 安吉县 its standards and three enrolled households of 梅溪镇:
// 王阿大 and 陈国强 (rural) and 李桂芳 (urban).

const outDir = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url))

test('the county administrator adds a rural standard from next month and sees how many households it recomputes', async ({ page }) => {
  await signIn(page, 'ax.admin')
  // What the server says will be recomputed: the county's active rural beneficiaries.
  const before = await (await page.request.get('/api/v1/standards')).json()
  const rural: number = before.active_beneficiaries.rural
  expect(rural).toBeGreaterThanOrEqual(2)

  await page.getByRole('menuitem', { name: '保障标准' }).click()
  await expect(page).toHaveURL(/\/standards$/)
  await expect(page.getByTestId('standard-current-rural')).toContainText('1,285')
  await expect(page.getByTestId('standard-current-urban')).toContainText('1,285')
  await expect(page.getByTestId('standard-history')).toContainText('湖州市 2026 年城乡统一标准')
  await screenshot(page, 'benefit-standards')

  await page.getByTestId('standard-add').click()
  const form = page.getByTestId('standard-form')
  await form.getByTestId('standard-category-rural').click()
  // Bad amounts are caught before anything is sent.
  await form.getByTestId('standard-amount').fill('13,20.555')
  await form.getByTestId('standard-note').click()
  await expect(form.getByText('请输入金额（元），最多两位小数')).toBeVisible()
  await form.getByTestId('standard-amount').fill('1,320.50')
  await form.getByTestId('standard-note').fill('安民〔2026〕88号')
  const month = await form.locator('.el-date-editor input').inputValue()
  expect(month).toMatch(/^\d{4}-\d{2}$/)
  await form.getByTestId('standard-submit').click()

  const confirm = page.locator('.standards-confirm')
  await expect(confirm).toContainText(`重新计算本县 ${rural} 户在保农村对象`)
  await expect(confirm).toContainText('1,285 元调整为 1,320.50 元')
  await page.waitForTimeout(400) // let the dialogs finish fading in
  await screenshot(page, 'benefit-standard-confirm')
  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/standards') && r.request().method() === 'POST')
  await confirm.getByRole('button', { name: '确认调整' }).click()
  const answer = await (await created).json()
  expect(answer.standard.monthly_fen).toBe(132050) // exactly, from the decimal string
  expect(answer.recomputed).toBe(rural)
  await expect(page.getByText(`已保存：重新计算 ${rural} 户`)).toBeVisible()
  // The new standard is upcoming; the one in force does not change before its month.
  await expect(page.getByTestId('standard-current-rural')).toContainText(`${month} 起将调整为 1,320.50 元`)
  await expect(page.getByTestId('standard-history').locator('tbody tr').first()).toContainText('待执行')
  await screenshot(page, 'benefit-standards-after')

  // 施保设置: the county administrator's page.
  await page.getByRole('menuitem', { name: '施保设置' }).click()
  await expect(page.getByTestId('benefit-settings')).toContainText('分类施保')
  await expect(page.getByTestId('supplement-value-severe_disability')).toHaveValue('30')
  await page.getByTestId('supplement-value-minor').fill('abc')
  await page.getByTestId('benefit-settings-save').click()
  await expect(page.getByText('请输入 0–100 之间的百分比，最多两位小数')).toBeVisible()
  await page.getByTestId('supplement-value-minor').fill('12.5')
  await page.getByTestId('benefit-settings-save').click()
  await expect(page.getByText('施保设置已保存')).toBeVisible()
  await expect(page.getByTestId('supplement-value-minor')).toHaveValue('12.5')
  await page.getByTestId('benefit-settings').evaluate((el) => el.scrollIntoView())
  await page.waitForTimeout(400)
  await screenshot(page, 'benefit-settings')
})

test('a township clerk opens a beneficiary, reads the working of its amount and prints its certificate on A5', async ({ page }) => {
  await signIn(page, 'ax.clerk')
  await page.getByRole('menuitem', { name: '保障对象' }).click()
  const table = page.getByTestId('beneficiary-table')
  await expect(table).toContainText('王阿大')
  await expect(table).toContainText('陈国强')
  await expect(table).toContainText(/330523\*{8}\d{3}[\dX]/) // masked ID numbers only
  await expect(table).not.toContainText(/330523\d{11}[\dX]/)
  await screenshot(page, 'benefit-beneficiaries')

  // An urban household: the new rural standard of the other test leaves it as enrolled.
  await page.getByTestId('beneficiary-row-李桂芳').click()
  const working = page.getByTestId('beneficiary-working')
  await expect(working).toContainText('补差金额')
  await expect(working).toContainText('（1,285.00 − 200.00）× 2 人')
  await expect(working).toContainText('分类施保：李桂芳（老年人）')
  await expect(working).toContainText('分类施保：周明（重度残疾人）')
  await expect(working).toContainText('2,684.00 元')
  await expect(page.getByTestId('beneficiary-changes')).toContainText('纳入低保')
  await screenshot(page, 'benefit-beneficiary-detail')

  await page.getByTestId('beneficiary-print').click()
  await expect(page).toHaveURL(/\/print\/certificates\/330523-\d{4}-\d{6}$/)
  const cert = page.getByTestId('certificate')
  await expect(page.getByTestId('certificate-no')).toHaveText(/^330523-\d{4}-\d{6}$/)
  await expect(page.getByTestId('certificate-head')).toHaveText('李桂芳')
  await expect(page.getByTestId('certificate-issuer')).toHaveText('安吉县民政局')
  await expect(page.getByTestId('certificate-amount')).toHaveText('人民币 2,684 元')
  await expect(cert).toContainText('梅溪镇梅溪社区')
  await expect(cert).toContainText('周明')
  await expect(cert).not.toContainText(/\d{17}[\dX]/) // no ID number in full
  await screenshot(page, 'benefit-certificate')

  // Print to PDF as Chromium would: one A5 page (148 × 210 mm = 419.5 × 595.3 pt).
  await page.emulateMedia({ media: 'print' })
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true })
  mkdirSync(outDir, { recursive: true })
  writeFileSync(`${outDir}benefit-certificate.pdf`, pdf)
  const text = pdf.toString('latin1')
  expect(text.match(/\/Type\s*\/Page[^s]/g) ?? []).toHaveLength(1)
  const box = text.match(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/)
  expect(box).not.toBeNull()
  expect(Math.abs(Number(box![1]) - 419.5)).toBeLessThan(2)
  expect(Math.abs(Number(box![2]) - 595.3)).toBeLessThan(2)
})

test('a finance officer reads beneficiaries but has no standards page', async ({ page }) => {
  await signIn(page, 'ax.finance')
  await expect(page.getByRole('menuitem', { name: '保障对象' })).toBeVisible()
  await expect(page.getByRole('menuitem', { name: '保障标准' })).toHaveCount(0)
  await page.goto('/standards')
  await expect(page.getByTestId('forbidden')).toBeVisible()
})
