import { expect, test } from '@playwright/test'
import { screenshot, signIn } from './helpers'
import { idNumber, xlsx } from './xlsx'

// 台账导入: the township clerk of 梅溪镇 imports a small ledger of three good households and
// two bad rows, follows the job, reads the summary and the refused rows with their reasons,
// downloads the report, and finds the imported households in the registry by name.

const HEADER = ['户编号', '村（社区）代码', '城乡类别', '姓名', '身份证号', '性别', '与户主关系', '联系电话', '开户银行', '银行账号', '工资性收入（元/月）']

// Names unique to this run, so that the registry search finds this run's households only.
const STEMS = '甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥'
const tag = Array.from({ length: 3 }, () => STEMS[Math.floor(Math.random() * STEMS.length)]).join('')
const prefix = `台${tag}`

const used = new Set<string>()
function person(male: boolean): string {
  for (;;) {
    const y = 1950 + Math.floor(Math.random() * 40)
    const m = String(1 + Math.floor(Math.random() * 12)).padStart(2, '0')
    const d = String(1 + Math.floor(Math.random() * 28)).padStart(2, '0')
    const seq = 2 * Math.floor(Math.random() * 450) + (male ? 1 : 0)
    const id = idNumber('110101', `${y}${m}${d}`, seq) // people from elsewhere: none registered here
    if (!used.has(id)) {
      used.add(id)
      return id
    }
  }
}

function ledger(): Buffer {
  const wrong = person(true)
  const badCheck = wrong.slice(0, 17) + (wrong[17] === '0' ? '1' : '0')
  return xlsx([
    HEADER,
    ['1', '330523101201', '农村', `${prefix}甲`, person(true), '男', '本人', '13857200001', '安吉农商银行', '6217000012345678901', ''],
    ['1', '', '', `${prefix}甲妻`, person(false), '女', '配偶', '', '', '', ''],
    ['2', '330523101001', '', `${prefix}乙`, person(false), '', '本人', '', '', '', '1234.56'],
    ['3', '330523101202', '农村', `${prefix}丙`, person(true), '男', '本人', '0572-5012345', '', '', ''],
    ['3', '', '', `${prefix}丙子`, person(true), '男', '子女', '', '', '', '1800'],
    ['3', '', '', `${prefix}丙女`, person(false), '女', '子女', '', '', '', ''],
    ['4', '330523101201', '', `${prefix}丁`, badCheck, '', '本人', '', '', '', ''],
    ['5', '330523101299', '', `${prefix}戊`, person(true), '', '本人', '', '', '', ''],
  ])
}

test('a clerk imports a ledger, sees progress, the summary and the refused rows, and finds the households', async ({ page }) => {
  await signIn(page, 'ax.clerk')
  await page.getByRole('menuitem', { name: '台账导入' }).click()
  await expect(page).toHaveURL(/\/households\/import/)
  await expect(page.getByTestId('ledger-template')).toBeVisible()

  // The template downloads as an .xlsx named in Chinese.
  const templateDownload = page.waitForEvent('download')
  await page.getByTestId('ledger-template').click()
  expect((await templateDownload).suggestedFilename()).toBe('台账导入模板.xlsx')
  await screenshot(page, 'ledger-import-page')

  await page.locator('[data-testid="ledger-upload"] input[type="file"]').setInputFiles({
    name: '梅溪镇台账.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: ledger(),
  })
  await expect(page.getByTestId('ledger-progress')).toBeVisible()
  await expect(page.getByTestId('ledger-result')).toBeVisible({ timeout: 20_000 })
  await expect(page.getByTestId('ledger-stage')).toHaveText('导入完成')
  await expect(page.getByTestId('ledger-households-imported')).toHaveText('3')
  await expect(page.getByTestId('ledger-households-rejected')).toHaveText('2')
  await expect(page.getByTestId('ledger-rows-rejected')).toHaveText('2')
  await expect(page.getByTestId('ledger-result')).toContainText('已导入 3 户（6 人）')

  // The refused rows, with their row numbers and reasons.
  const table = page.getByTestId('ledger-rejected-table')
  await expect(table.locator('tbody tr')).toHaveCount(2)
  await expect(table.locator('tbody tr').nth(0)).toContainText('8')
  await expect(table.locator('tbody tr').nth(0)).toContainText('校验位错误')
  await expect(table.locator('tbody tr').nth(1)).toContainText('9')
  await expect(table.locator('tbody tr').nth(1)).toContainText('330523101299')
  await expect(table.locator('tbody tr').nth(1)).toContainText(`${prefix}戊`)
  await screenshot(page, 'ledger-import-done')
  await page.getByTestId('ledger-rejected').scrollIntoViewIfNeeded()
  await screenshot(page, 'ledger-import-rejected')

  const reportDownload = page.waitForEvent('download')
  await page.getByTestId('ledger-report').click()
  expect((await reportDownload).suggestedFilename()).toMatch(/^台账导入\d+-未导入的行\.xlsx$/)

  // The job is listed, and the imported households are in the registry, found by name.
  await expect(page.getByTestId('ledger-history')).toContainText('梅溪镇台账.xlsx')
  await page.getByTestId('ledger-open-registry').click()
  await expect(page).toHaveURL(/\/households$/)
  await page.getByTestId('household-filter-q').fill(prefix)
  await page.getByTestId('household-search').click()
  for (const name of ['甲', '乙', '丙']) await expect(page.getByTestId(`household-row-${prefix}${name}`)).toBeVisible()
  await expect(page.getByTestId('household-table').locator('tbody tr')).toHaveCount(3)
  await screenshot(page, 'ledger-import-registry')
})

test('the village worker has no ledger import', async ({ page }) => {
  await signIn(page, 'ax.village')
  await expect(page.getByRole('menuitem', { name: '台账导入' })).toHaveCount(0)
  await page.goto('/households/import')
  await expect(page.getByTestId('ledger-upload')).toHaveCount(0)
})
