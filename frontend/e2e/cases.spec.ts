import { execFileSync } from 'node:child_process'
import { expect, test, type Browser, type Page } from '@playwright/test'
import { me, screenshot, signIn, api, step, type CaseView } from './helpers'
import { idNumber as regionIdNumber } from './xlsx'

// The application workflow (低保审批) as the demo staff of 梅溪镇 and 安吉县:
//   1. one application from the village's submission through acceptance, investigation, the
//      township's review and sign-off, public notice, to the county's approval and its
//      certificate number;
//   2. one to denial, with the printable letter;
//   3. one through an objection to its notice, a democratic evaluation and a second notice.
// Households are registered through the registry's API; the steps under test are taken
// in the browser, each by its role, through the buttons the case page offers. Steps that
// only bring a case to the point under test go through the API.

/** A valid ID number (GB 11643) of 安吉县 born on birth (YYYYMMDD); seq odd for a man. */
const idNumber = (birth: string, seq: number): string => regionIdNumber('330523', birth, seq)

const run = Date.now() % 400
let seq = 0
const nextSeq = () => 100 + ((run * 7 + ++seq * 2) % 850)

interface Staff {
  village: Page
  clerk: Page
  leader: Page
  approver: Page
  close(): Promise<void>
}

async function staff(browser: Browser): Promise<Staff> {
  const pages: Page[] = []
  for (const user of ['ax.village', 'ax.clerk', 'ax.leader', 'ax.approver']) {
    const ctx = await browser.newContext()
    const page = await ctx.newPage()
    await signIn(page, user)
    pages.push(page)
  }
  const [village, clerk, leader, approver] = pages
  return { village, clerk, leader, approver, close: async () => { for (const p of pages) await p.context().close() } }
}



/** Registers a rural household of two in 梅溪村 with a counted income of 600 yuan a month. */
async function register(clerk: Page, head: string): Promise<number> {
  const h = await api<{ id: number }>(clerk, 'POST', '/api/v1/households', {
    division_code: '330523101201', category: 'rural', address: '梅溪村 5 组 8 号', phone: '13857209999',
    members: [
      { name: head, id_number: idNumber('19580407', nextSeq() | 1), relation: 'self', labour_capacity: 'partial' },
      { name: `${head.slice(0, 1)}秀兰`, id_number: idNumber('19610912', nextSeq() & ~1), relation: 'spouse', labour_capacity: 'none' },
    ],
    incomes: [{ kind: 'farming', source: '茶园', monthly_fen: 60000 }],
  })
  return h.id
}

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())

/** Submits through the API (as the village worker) and takes the case through a signed home visit. */
async function investigated(s: Staff, head: string): Promise<number> {
  const household = await register(s.clerk, head)
  const c = await api<CaseView>(s.village, 'POST', '/api/v1/cases', { household_id: household, channel: 'village', authorisation_signed_on: today() })
  await step(s.clerk, c.id, 'accept')
  await step(s.clerk, c.id, 'start-investigation')
  await step(s.clerk, c.id, 'checks', { department: '公安（车辆）', result: 'consistent', checked_on: today() })
  const ids = await Promise.all(['ax.clerk', 'ax.village'].map(async (u) => {
    const page = u === 'ax.clerk' ? s.clerk : s.village
    return (await me(page)).body.user.id as number
  }))
  const v = await step(s.clerk, c.id, 'visits', { visited_on: today(), findings: '入户核实，情况属实。', investigator_ids: ids })
  await step(s.village, c.id, `visits/${v.visits[v.visits.length - 1].id}/sign`)
  return c.id
}

/**
 * The 7 days of the notice pass: the notice's dates move a week back, as the PostgreSQL
 * superuser of the test database (scripts/e2e.sh exports where it is). The server's clock
 * cannot be moved from a browser.
 */
function noticeRanAWeekAgo(caseId: number) {
  const admin = process.env.DATABASE_ADMIN_URL
  const app = process.env.DATABASE_URL
  if (!admin || !app) throw new Error('DATABASE_ADMIN_URL and DATABASE_URL must be set (run through make e2e / scripts/e2e.sh)')
  const url = new URL(admin)
  url.pathname = new URL(app).pathname
  execFileSync('psql', [url.toString(), '-qc',
    `UPDATE case_notices SET starts_on = starts_on - 7, ends_on = ends_on - 7 WHERE case_id = ${Number(caseId)} AND status = 'open'`])
}

/** Clicks an action button of the case page and confirms its dialog. */
async function act(page: Page, action: string, title: string, fill?: (dialog: ReturnType<Page['getByRole']>) => Promise<void>) {
  await page.getByTestId(`action-${action}`).click()
  const dialog = page.getByRole('dialog', { name: title })
  await expect(dialog).toBeVisible()
  if (fill) await fill(dialog)
  await dialog.getByTestId('dialog-confirm').click()
  await expect(dialog).toBeHidden()
}

async function openCase(page: Page, id: number) {
  await page.goto(`/cases/${id}`)
  await expect(page.getByTestId('case-title')).toBeVisible()
}

/** A screenshot once the page's transitions have settled. */
async function shot(page: Page, name: string) {
  await page.waitForTimeout(500)
  await screenshot(page, name)
}

async function choose(page: Page, testid: string, option: string) {
  await page.getByTestId(testid).click()
  await page.getByRole('option', { name: option, exact: true }).last().click()
}

test('an application goes from the village to the county approval and a certificate', async ({ browser }) => {
  test.setTimeout(180_000)
  const s = await staff(browser)
  const head = `葛长顺${run}`
  await register(s.clerk, head)

  // The village worker takes the application.
  const v = s.village
  await v.getByRole('menuitem', { name: '低保审批' }).click()
  await expect(v.getByTestId('case-table')).toBeVisible()
  await v.getByTestId('case-new').click()
  const submit = v.getByRole('dialog', { name: '新的低保申请' })
  await submit.getByTestId('submit-household').locator('input').fill(head)
  await v.getByRole('option', { name: new RegExp(head) }).click()
  await submit.getByTestId('submit-reason').fill('户主患慢性病，劳动能力弱，妻子无劳动能力。')
  await shot(v, 'cases-submit')
  await submit.getByTestId('submit-confirm').click()
  await expect(v.getByTestId('case-state')).toHaveText('已申请')
  await expect(v.getByTestId('case-no-actions')).toBeVisible() // nothing more for the village now
  const caseId = Number(v.url().split('/').pop())
  await shot(v, 'cases-submitted')

  // The caseworker finds it in the work list, accepts it and investigates.
  const c = s.clerk
  await c.getByRole('menuitem', { name: '低保审批' }).click()
  await c.getByTestId(`case-row-${head}`).click()
  await expect(c.getByTestId('case-actions')).toContainText('受理')
  await expect(c.getByTestId('case-actions')).toContainText('不予受理')
  await act(c, 'accept', '受理', async (d) => d.getByTestId('dialog-text').fill('材料齐全，予以受理。'))
  await expect(c.getByTestId('case-state')).toHaveText('已受理')
  await expect(c.getByTestId('case-workdays-left')).toHaveText('剩 30 个工作日')
  await act(c, 'start_investigation', '开始调查')
  await expect(c.getByTestId('case-state')).toHaveText('调查核实')
  await act(c, 'record_check', '登记核对结果', async (d) => {
    await d.getByTestId('check-department').fill('不动产登记')
  })
  await act(c, 'record_visit', '登记入户调查', async (d) => {
    await d.getByTestId('investigator-钱国平').click()
    await d.getByTestId('visit-findings').fill('砖混房两间，陈设简陋；户主慢性肾病，妻子无劳动能力，仅靠茶园收入。')
  })
  await expect(c.getByTestId('case-investigation')).toContainText('签字未齐')
  await expect(c.getByTestId('action-propose')).toHaveCount(0) // not before both signed

  // The village worker, the second investigator, signs.
  await openCase(v, caseId)
  await act(v, 'sign_visit', '调查签字')
  await expect(v.getByTestId('case-investigation')).toContainText('已完成')

  // The caseworker proposes approval at the computed amount.
  await c.reload()
  await act(c, 'propose', '提出审核意见', async (d) => {
    await d.getByTestId('proposal-opinion').fill('家庭人均收入低于保障标准，拟纳入农村低保。')
  })
  await expect(c.getByTestId('case-proposal')).toContainText('拟批准')
  await expect(c.getByTestId('case-proposed-amount')).toHaveText(/\d+ 元/)
  await expect(c.getByTestId('case-working')).toContainText('保障标准')
  await c.getByTestId('case-proposal').scrollIntoViewIfNeeded()
  await shot(c, 'cases-proposal')

  // The leader signs off.
  const l = s.leader
  await openCase(l, caseId)
  await expect(l.getByTestId('case-actions')).toContainText('签署审核意见')
  await act(l, 'sign_off', '签署审核意见', async (d) => d.getByTestId('dialog-text').fill('同意。'))
  await expect(l.getByTestId('case-state')).toHaveText('乡镇已审核')

  // The village worker posts the notice; it shows only what may be published.
  await openCase(v, caseId)
  await act(v, 'post_notice', '张贴公示')
  await expect(v.getByTestId('case-state')).toHaveText('公示中')
  const text = v.getByTestId('case-notices').getByTestId('notice-text')
  await expect(text).toContainText(head)
  await expect(text).toContainText('保障人数 2 人')
  await expect(text).not.toContainText('5 组')
  await expect(text).not.toContainText('13857209999')
  await v.getByRole('menuitem', { name: '公示管理' }).click()
  await expect(v.getByTestId('notices-table')).toContainText(head)
  await shot(v, 'cases-notices')
  await v.getByTestId('notices-print').click()
  await expect(v.getByTestId(`board-row-${head}`)).toBeVisible()
  await shot(v, 'cases-notice-board')

  // A week later the approving officer finds it in the queue and approves it.
  noticeRanAWeekAgo(caseId)
  const a = s.approver
  await a.getByRole('menuitem', { name: '待审批' }).click()
  await a.getByTestId(`case-row-${head}`).click()
  await expect(a.getByTestId('case-actions')).toContainText('批准')
  await shot(a, 'cases-approver')
  await act(a, 'approve', '批准', async (d) => d.getByTestId('dialog-text').fill('同意纳入农村低保。'))
  await expect(a.getByTestId('case-state')).toHaveText('已批准')
  await expect(a.getByTestId('case-certificate-no')).toHaveText(/^330523-\d{4}-\d+$/)
  await expect(a.getByTestId('case-no-actions')).toBeVisible()
  await expect(a.getByTestId('case-timeline')).toContainText('批准')
  await expect(a.getByTestId('case-timeline')).toContainText('李文华')
  await shot(a, 'cases-approved')

  // The approving officer draws today's approvals for a county spot check.
  await a.getByRole('menuitem', { name: '县级抽查' }).click()
  await a.getByTestId('spot-draw').click()
  await expect(a.getByTestId('spot-draw-item').first()).toContainText(/已抽取 \d+ 件/)
  await shot(a, 'cases-spot-check')
  await s.close()
})

test('the county administrator sets the workflow for the county', async ({ page }) => {
  await signIn(page, 'ax.admin')
  await page.getByRole('menuitem', { name: '审批设置' }).click()
  await expect(page.getByTestId('settings-decision').locator('input')).toHaveValue('30')
  await expect(page.getByTestId('settings-notice').locator('input')).toHaveValue('7')
  await page.getByTestId('settings-spotcheck').locator('input').fill('10')
  await page.getByTestId('settings-save').click()
  await expect(page.getByText('已保存')).toBeVisible()
  await shot(page, 'cases-settings')
  const saved = await api<{ spotcheck_percent: number }>(page, 'GET', '/api/v1/counties/330523/settings/cases')
  expect(saved.spotcheck_percent).toBe(10)
  await api(page, 'PUT', '/api/v1/counties/330523/settings/cases', { spotcheck_percent: 5 })
})

test('a denial gives a printable letter', async ({ browser }) => {
  test.setTimeout(120_000)
  const s = await staff(browser)
  const head = `葛长福${run}`
  const id = await investigated(s, head)

  // The caseworker proposes to deny, with the reason; the leader signs off.
  const c = s.clerk
  await openCase(c, id)
  await act(c, 'propose', '提出审核意见', async (d) => {
    await d.getByTestId('proposal-deny').click()
    await d.getByTestId('proposal-reason').fill('经核对，该户子女有稳定工资收入，家庭人均收入高于保障标准。')
  })
  await expect(c.getByTestId('case-proposal')).toContainText('拟不予批准')
  await step(s.leader, id, 'sign-off')

  // No notice for a denial: it goes to the approving officer, who must give the reason.
  const v = s.village
  await openCase(v, id)
  await expect(v.getByTestId('action-post_notice')).toHaveCount(0)
  const a = s.approver
  await openCase(a, id)
  await a.getByTestId('action-deny').click()
  const dialog = a.getByRole('dialog', { name: '不予批准' })
  await dialog.getByTestId('dialog-confirm').click()
  await expect(dialog.getByText('请填写理由')).toBeVisible()
  await dialog.getByTestId('dialog-text').fill('经调查核实，家庭人均月收入高于本县农村最低生活保障标准。')
  await dialog.getByTestId('dialog-confirm').click()
  await expect(a.getByTestId('case-state')).toHaveText('不予批准')
  await expect(a.getByTestId('case-denial-reason')).toContainText('高于本县农村最低生活保障标准')
  await shot(a, 'cases-denied')

  // The letter, on A4.
  await a.getByTestId('case-print-letter').click()
  await expect(a.getByTestId('letter-title')).toHaveText('不予批准最低生活保障通知书')
  await expect(a.getByTestId('letter-reason')).toContainText('高于本县农村最低生活保障标准')
  await expect(a.getByTestId('letter-issuer')).toHaveText('安吉县民政局')
  await expect(a.getByTestId('letter')).not.toContainText('5 组') // no address
  await shot(a, 'cases-denial-letter')
  await a.emulateMedia({ media: 'print' })
  await shot(a, 'cases-denial-letter-print')
  await s.close()
})

test('an objection sends the case back; after an evaluation a second notice follows', async ({ browser }) => {
  test.setTimeout(180_000)
  const s = await staff(browser)
  const head = `葛长寿${run}`
  const id = await investigated(s, head)
  await step(s.clerk, id, 'proposal', { recommendation: 'approve' })
  await step(s.leader, id, 'sign-off')
  await step(s.village, id, 'notices')

  // A villager objects; the village worker records it.
  const v = s.village
  await openCase(v, id)
  await act(v, 'record_objection', '登记公示异议', async (d) => {
    await d.getByTestId('objection-content').fill('反映该户儿子在县城务工，收入未如实申报。')
  })
  await expect(v.getByTestId('case-state')).toHaveText('调查核实')
  await expect(v.getByTestId('case-notices')).toContainText('有异议')
  await expect(v.getByTestId('case-notices')).toContainText('匿名')
  await shot(v, 'cases-objection')

  // The caseworker investigates again and, as the objection requires, refers to evaluation.
  const c = s.clerk
  await step(c, id, 'checks', { department: '人力社保', result: 'consistent', findings: '未查到儿子的社保缴费记录', checked_on: today() })
  const ids = [(await me(c)).body.user.id, (await me(v)).body.user.id]
  const visit = await step(c, id, 'visits', { visited_on: today(), findings: '复核入户：儿子已分户，不共同生活。', investigator_ids: ids })
  await step(v, id, `visits/${visit.visits[visit.visits.length - 1].id}/sign`)
  await openCase(c, id)
  await expect(c.getByTestId('action-propose')).toHaveCount(0)
  await act(c, 'refer_evaluation', '提交民主评议')
  await expect(c.getByTestId('case-state')).toHaveText('民主评议')

  // The village worker records the evaluation; the panel is checked as it is typed.
  await openCase(v, id)
  await v.getByTestId('action-record_evaluation').click()
  const d = v.getByRole('dialog', { name: '登记评议结果' })
  const names = ['葛守仁', '葛守义', '村主任王建', '党员李平']
  for (const [i, n] of names.slice(0, 3).entries()) await d.getByTestId(`panel-${i}-name`).fill(n)
  await d.getByTestId('panel-add').click()
  await d.getByTestId('panel-3-name').fill(names[3])
  await choose(v, 'panel-3-kind', '党员')
  await expect(d.getByTestId('panel-check')).toContainText('评议小组人数须为不少于 3 的奇数（现为 4 人）')
  await shot(v, 'cases-evaluation-check')
  await d.getByTestId('panel-add').click()
  await d.getByTestId('panel-4-name').fill('葛守礼')
  await d.getByTestId('votes-for').locator('input').fill('4')
  await d.getByTestId('votes-against').locator('input').fill('1')
  await d.getByTestId('evaluation-minutes').click()
  await expect(d.getByTestId('panel-check')).toContainText('评议小组组成符合规定')
  await expect(d.getByTestId('panel-check')).toContainText('通过')
  await d.getByTestId('evaluation-minutes').fill('经无记名投票，4 票赞成、1 票反对，同意纳入。')
  await d.getByTestId('dialog-confirm').click()
  await expect(d).toBeHidden()
  await expect(v.getByText('赞成 4 票，反对 1 票，弃权 0 票（共 5 人）')).toBeVisible()

  // The township reviews again, and a second notice goes up.
  await step(c, id, 'proposal', { recommendation: 'approve' })
  await step(s.leader, id, 'sign-off')
  await v.reload()
  await act(v, 'post_notice', '张贴公示')
  await expect(v.getByTestId('case-state')).toHaveText('公示中')
  await expect(v.getByTestId('notice-2')).toContainText('第 2 次公示')
  await expect(v.getByTestId('notice-2')).toContainText('公示中')
  await expect(v.getByTestId('notice-1')).toContainText('有异议')
  await shot(v, 'cases-second-notice')
  await s.close()
})
