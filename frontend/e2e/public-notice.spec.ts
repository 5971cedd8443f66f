import { expect, test, type Browser, type Page } from '@playwright/test'
import { fillSignIn, me, screenshot, signIn, api, step, type CaseView } from './helpers'
import { idNumber as regionIdNumber } from './xlsx'

// The public side of notices (公示查询与异议): a visitor without an account opens the
// portal from the sign-in page, picks the county, sees the households on notice (the demo's
// running notice among them) and objects to one, anonymously, getting a receipt code. The
// caseworker then finds that case back in investigation, the objection on its timeline and
// with its receipt code and the masked phone among the notice's objections.
// The notice objected to is this spec's own, brought to notice through the staff API, so
// that the demo's notices and the other specs' cases stay as they are.

/** A valid ID number (GB 11643) of 安吉县 born on birth (YYYYMMDD); seq odd for a man. */
const idNumber = (birth: string, seq: number): string => regionIdNumber('330523', birth, seq)

const run = Date.now() % 400
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())

async function staffPage(browser: Browser, user: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  await signIn(page, user)
  return page
}



/** A household of two in 梅溪村 taken by its staff from application to a notice running from today. */
async function onNotice(browser: Browser, head: string): Promise<number> {
  const [village, clerk, leader] = [await staffPage(browser, 'ax.village'), await staffPage(browser, 'ax.clerk'), await staffPage(browser, 'ax.leader')]
  const household = await api<{ id: number }>(clerk, 'POST', '/api/v1/households', {
    division_code: '330523101201', category: 'rural', address: '梅溪村 7 组 21 号', phone: '13857208888',
    members: [
      { name: head, id_number: idNumber('19630215', 101 + 2 * (run % 400)), relation: 'self', labour_capacity: 'partial' },
      { name: `${head.slice(0, 1)}桂英`, id_number: idNumber('19660521', 100 + 2 * (run % 400)), relation: 'spouse', labour_capacity: 'none' },
    ],
    incomes: [{ kind: 'farming', source: '竹林', monthly_fen: 50000 }],
  })
  const c = await api<CaseView>(village, 'POST', '/api/v1/cases', { household_id: household.id, channel: 'village', authorisation_signed_on: today() })
  await step(clerk, c.id, 'accept')
  await step(clerk, c.id, 'start-investigation')
  await step(clerk, c.id, 'checks', { department: '公安（车辆）', result: 'consistent', checked_on: today() })
  const ids = [(await me(clerk)).body.user.id, (await me(village)).body.user.id]
  const v = await step(clerk, c.id, 'visits', { visited_on: today(), findings: '入户核实，情况属实。', investigator_ids: ids })
  await step(village, c.id, `visits/${v.visits[v.visits.length - 1].id}/sign`)
  await step(clerk, c.id, 'proposal', { recommendation: 'approve', opinion: '家庭人均收入低于保障标准，拟纳入农村低保。' })
  await step(leader, c.id, 'sign-off', { opinion: '同意' })
  await step(village, c.id, 'notices')
  for (const p of [village, clerk, leader]) await p.context().close()
  return c.id
}

test('a visitor objects to a notice on the portal and the case goes back to investigation', async ({ browser, page }) => {
  test.setTimeout(120_000)
  const head = `公示户${run}`
  const caseId = await onNotice(browser, head)

  // From the sign-in page to the portal, without signing in.
  await page.goto('/login')
  await expect(page.getByTestId('login-public-link')).toHaveText('公示查询与异议')
  await screenshot(page, 'public-login-link')
  await page.getByTestId('login-public-link').click()
  await expect(page).toHaveURL(/\/public\/notices/)
  await expect(page.getByRole('heading', { name: '最低生活保障公示' })).toBeVisible()

  // The portal asks nothing about a session: opened afresh, it calls only the public API.
  const calls: string[] = []
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) calls.push(new URL(r.url()).pathname)
  })
  await page.goto('/public/notices')
  await expect(page.getByText('请先选择要查询的县（市、区）')).toBeVisible()
  await page.getByTestId('public-county').click()
  await page.getByRole('option', { name: '安吉县', exact: true }).click()
  await expect(page).toHaveURL(/county=330523/)
  const table = page.getByTestId('public-notices')
  const row = table.getByRole('row', { name: new RegExp(head) })
  await expect(row).toBeVisible()
  await expect(row).toContainText('梅溪镇')
  await expect(row).toContainText('梅溪村')
  await expect(row).toContainText('农村')
  await expect(row).toContainText('2 人')
  await expect(row).toContainText(/\d{4}年\d+月\d+日 — \d{4}年\d+月\d+日/)
  // The demo's running notice is on the board too; nothing of the household beyond the notice.
  await expect(table.locator('tbody tr')).not.toHaveCount(1)
  await expect(table).not.toContainText('7 组')
  await expect(table).not.toContainText('13857208888')
  expect(calls.length).toBeGreaterThan(0)
  expect(calls.filter((p) => !p.startsWith('/api/public/v1/')), 'calls outside the public API').toEqual([])
  await page.waitForTimeout(300)
  await screenshot(page, 'public-notices')

  // The objection: content is required, a phone must be a phone; name may stay empty.
  await row.getByRole('button', { name: '提出异议' }).click()
  const dialog = page.getByRole('dialog', { name: '对公示提出异议' })
  await expect(dialog.getByTestId('objection-notice')).toContainText(head)
  await expect(dialog).toContainText('可以匿名提出')
  await dialog.getByTestId('objection-submit').click()
  await expect(dialog.getByText('请填写异议内容')).toBeVisible()
  await dialog.getByTestId('objection-phone').fill('12345')
  await dialog.getByTestId('objection-content').fill('反映该户儿子在杭州开网店，收入较高，未如实申报。')
  await dialog.getByTestId('objection-submit').click()
  await expect(dialog.getByText('联系电话须为 11 位手机号')).toBeVisible()
  await dialog.getByTestId('objection-phone').fill('13957201111')
  await screenshot(page, 'public-objection-form')
  await dialog.getByTestId('objection-submit').click()
  await expect(dialog.getByTestId('objection-receipt')).toHaveText(/^YY\d{8}-[0-9A-Z]{6}$/)
  const receipt = (await dialog.getByTestId('objection-receipt').textContent())!.trim()
  await page.waitForTimeout(300)
  await screenshot(page, 'public-objection-receipt')
  await dialog.getByTestId('objection-close').click()
  // No longer running, so no longer on the board.
  await expect(table).not.toContainText(head)

  // The caseworker signs in from the portal and finds the case back in investigation.
  await page.getByTestId('public-staff-login').click()
  await fillSignIn(page, 'ax.clerk', 'Dibao@2026')
  await expect(page.getByTestId('user-name')).toBeVisible()
  await page.goto(`/cases/${caseId}`)
  await expect(page.getByTestId('case-state')).toHaveText('调查核实')
  const timeline = page.getByTestId('case-timeline')
  await expect(timeline).toContainText('群众（公示平台）')
  await expect(timeline).toContainText('反映该户儿子在杭州开网店')
  await expect(page.getByTestId('case-notices')).toContainText('有异议')
  // The objection on the case page: from the public page, with its receipt code and the
  // phone left, masked.
  const objection = page.getByTestId('case-notices').locator('.case__objection').filter({ hasText: '反映该户儿子在杭州开网店' })
  await expect(objection).toContainText('来自公示网页')
  await expect(objection.getByTestId('objection-receipt')).toHaveText(receipt)
  await expect(objection.getByTestId('objection-phone-value')).toHaveText('139****1111')
  await expect(objection).not.toContainText('13957201111')
  // To call back, the caseworker opens the number (audited) and it masks itself again later.
  await objection.getByTestId('objection-phone-reveal').click()
  await expect(objection.getByTestId('objection-phone-value')).toHaveText('13957201111')
  await screenshot(page, 'public-objection-phone-revealed')
  await objection.getByRole('button', { name: /隐藏/ }).click()
  await expect(objection.getByTestId('objection-phone-value')).toHaveText('139****1111')
  const detail = await api<{ objections: { receipt_code: string; phone_masked: string; source: string }[] }>(page, 'GET', `/api/v1/cases/${caseId}`)
  expect(detail.objections).toMatchObject([{ source: 'public', receipt_code: receipt, phone_masked: '139****1111' }])
  await objection.scrollIntoViewIfNeeded()
  await page.waitForTimeout(300)
  await screenshot(page, 'public-objection-staff')
})

test('the portal names a county that does not exist, in both languages', async ({ page }) => {
  await page.goto('/public/notices?county=999999')
  await expect(page.getByTestId('public-error')).toContainText('没有区划代码为 999999 的县（市、区）')
  await page.getByText('English', { exact: true }).click()
  await page.getByRole('button', { name: 'Refresh' }).click()
  await expect(page.getByTestId('public-error')).toContainText('There is no county with the code 999999')
  await page.getByTestId('public-county').click()
  await page.getByRole('option', { name: '安吉县', exact: true }).click()
  await expect(page.getByTestId('public-error')).toHaveCount(0)
  await expect(page.getByTestId('public-notices')).toContainText('Head of household')
  await expect(page.getByTestId('public-notices').getByRole('button', { name: 'Object' }).first()).toBeVisible()
  await page.waitForTimeout(300)
  await screenshot(page, 'public-notices-en')
})
