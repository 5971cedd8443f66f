import { readFileSync } from 'node:fs'
import { expect, test, type Browser, type Page } from '@playwright/test'
import { me, screenshot, signIn, api } from './helpers'
import { idNumber as regionIdNumber } from './xlsx'

// A township clerk of 梅溪镇 starts an application from the household's own page, with the
// scan of the signed authorisation, and lands on the new case, which offers the scan; then
// records the home visit with a photo uploaded in the dialog, which the timeline offers for
// download. The township leader, who may attach files but not edit the household, cancels
// a sign-off after uploading a file (which leaves the household again), then signs off with
// a file of their own, removing one uploaded by mistake. The households are registered here, with
// ID numbers no other spec uses (born 1963 and 1966; 1964 and 1967), so the other specs'
// data stay as they expect.

/** A valid ID number (GB 11643) of 安吉县 born on birth (YYYYMMDD); seq odd for a man. */
const idNumber = (birth: string, seq: number): string => regionIdNumber('330523', birth, seq)

const run = Date.now() % 400
const head = `邵春林${run}`


/** A real PNG of 2×2 pixels. */
const photo = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
)

/** A small PDF (told by its content). */
const pdf = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n')

async function shot(page: Page, name: string) {
  await page.waitForTimeout(400) // let transitions settle
  await screenshot(page, name)
}

test('from the household page a new application; a home visit with an uploaded photo that the timeline downloads', async ({ page }) => {
  test.setTimeout(120_000)
  await signIn(page, 'ax.clerk')
  const household = await api<{ id: number }>(page, 'POST', '/api/v1/households', {
    division_code: '330523101201', category: 'rural', address: '梅溪村 3 组 12 号', phone: '13857208888',
    members: [
      { name: head, id_number: idNumber('19630521', 101 + 2 * (run % 400)), relation: 'self', labour_capacity: 'partial' },
      { name: `${head.slice(0, 1)}桂芳`, id_number: idNumber('19660217', 100 + 2 * (run % 400)), relation: 'spouse', labour_capacity: 'none' },
    ],
    incomes: [{ kind: 'farming', source: '竹林', monthly_fen: 50000 }],
  })

  // The household page: no application yet; the clerk may start one.
  await page.goto(`/households/${household.id}`)
  await expect(page.getByTestId('household-title')).toContainText(head)
  const cases = page.getByTestId('household-cases')
  await expect(cases).toContainText('该户尚无低保申请')
  await shot(page, 'household-cases-empty')
  const submit = page.getByRole('dialog', { name: '新的低保申请' })
  // A scan uploaded for an application that is then cancelled leaves the household again.
  const fileNames = async () =>
    (await api<{ attachments: { file_name: string }[] }>(page, 'GET', `/api/v1/households/${household.id}`)).attachments.map((a) => a.file_name)
  await page.getByTestId('household-new-application').click()
  await expect(submit).toBeVisible()
  await submit.getByTestId('submit-authorisation').locator('input[type=file]').setInputFiles({ name: '作废授权书.pdf', mimeType: 'application/pdf', buffer: pdf })
  await expect(submit.getByTestId('submit-authorisation-作废授权书.pdf').getByRole('link', { name: '作废授权书.pdf' })).toBeVisible()
  expect(await fileNames()).toContain('作废授权书.pdf')
  await submit.getByRole('button', { name: '取消' }).click()
  await expect(submit).toBeHidden()
  await expect.poll(fileNames).not.toContain('作废授权书.pdf')
  await page.getByTestId('household-new-application').click()
  await expect(submit).toBeVisible()
  await expect(submit.getByTestId('submit-authorisation-list')).toHaveCount(0)
  await expect(submit.getByTestId('submit-household')).toContainText(head) // chosen already, and fixed
  await submit.getByTestId('submit-reason').fill('户主腰椎病，不能从事重体力劳动。')
  // The signed authorisation's scan, filed with the household as an authorisation.
  await submit.getByTestId('submit-authorisation').locator('input[type=file]').setInputFiles({ name: '授权书.pdf', mimeType: 'application/pdf', buffer: pdf })
  await expect(submit.getByTestId('submit-authorisation-授权书.pdf').getByRole('link', { name: '授权书.pdf' })).toBeVisible()
  await expect(submit.getByTestId('submit-authorisation-kind')).toHaveCount(0) // always an authorisation
  await shot(page, 'household-new-application')
  await submit.getByTestId('submit-confirm').click()
  await expect(page).toHaveURL(/\/cases\/\d+$/)
  await expect(page.getByTestId('case-state')).toHaveText('已申请')
  await expect(page.getByTestId('case-title')).toContainText(head)
  const caseId = Number(page.url().split('/').pop())
  // The case page offers the scan where it shows the authorisation.
  await expect(page.getByTestId('case-authorisation')).toContainText('签署')
  const scanLink = page.getByTestId('case-authorisation-scan').getByTestId('file-授权书.pdf')
  await expect(scanLink).toBeVisible()
  const [scan] = await Promise.all([page.waitForEvent('download'), scanLink.click()])
  expect(readFileSync(await scan.path()).equals(pdf)).toBe(true)
  const filed = await api<{ attachments: { file_name: string; kind: string }[] }>(page, 'GET', `/api/v1/households/${household.id}`)
  expect(filed.attachments).toContainEqual(expect.objectContaining({ file_name: '授权书.pdf', kind: 'authorisation' }))

  // Accepted and under investigation (the steps under test come next).
  for (const step of ['accept', 'start-investigation']) {
    const c = await api<{ version: number }>(page, 'GET', `/api/v1/cases/${caseId}`)
    await api(page, 'POST', `/api/v1/cases/${caseId}/${step}`, { version: c.version })
  }
  await page.reload()
  await expect(page.getByTestId('case-state')).toHaveText('调查核实')

  // The home visit, with a photo. A file of another type is refused before it is sent; one
  // that claims to be a PNG but is not is refused by the server, which says why.
  await page.getByTestId('action-record_visit').click()
  const dialog = page.getByRole('dialog', { name: '登记入户调查' })
  await expect(dialog).toBeVisible()
  await dialog.getByTestId('investigator-钱国平').click()
  await dialog.getByTestId('visit-findings').fill('砖木结构老屋两间，屋顶漏雨；户主腰椎病，妻子无劳动能力。')
  const input = dialog.getByTestId('attachment-upload').locator('input[type=file]')
  await input.setInputFiles({ name: '说明.txt', mimeType: 'text/plain', buffer: Buffer.from('not a scan') })
  await expect(dialog.getByTestId('attachment-upload-error')).toHaveText('说明.txt：附件只能是 JPEG、PNG 图片或 PDF 文件')
  await input.setInputFiles({ name: '假照片.png', mimeType: 'image/png', buffer: Buffer.from('<html><body>not a photo</body></html>') })
  await expect(dialog.getByTestId('attachment-upload-error')).toContainText('假照片.png：附件只能是 JPEG、PNG 图片或 PDF 文件（此文件的内容是 text/html')
  await expect(dialog.getByTestId('attachment-upload-list')).toHaveCount(0)
  await shot(page, 'case-visit-upload-refused')
  await input.setInputFiles({ name: '入户照片.png', mimeType: 'image/png', buffer: photo })
  const item = dialog.getByTestId('attachment-upload-入户照片.png')
  await expect(item.getByRole('link', { name: '入户照片.png' })).toBeVisible() // uploaded: a link to the file
  await expect(dialog.getByTestId('attachment-upload-error')).toHaveCount(0)
  await shot(page, 'case-visit-attachment')
  await dialog.getByTestId('dialog-confirm').click()
  await expect(dialog).toBeHidden()
  await expect(page.getByTestId('case-investigation')).toContainText('签字未齐')

  // The visit record and its timeline entry name the photo, and it downloads as uploaded.
  await expect(page.getByTestId('case-investigation').getByTestId('file-入户照片.png')).toBeVisible()
  const timeline = page.getByTestId('case-timeline')
  const link = timeline.getByTestId('file-入户照片.png')
  await expect(link).toBeVisible()
  await timeline.scrollIntoViewIfNeeded()
  await shot(page, 'case-timeline-attachment')
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
  expect(download.suggestedFilename()).toBe('入户照片.png')
  expect(readFileSync(await download.path()).equals(photo)).toBe(true)

  // The household keeps the photo, and lists the application, still open: no new one now.
  await page.goto(`/households/${household.id}`)
  await expect(page.getByTestId(`household-case-state-${caseId}`)).toHaveText('调查核实')
  await expect(page.getByTestId(`household-case-result-${caseId}`)).toHaveText('办理中')
  await expect(page.getByTestId('household-new-application')).toHaveCount(0)
  await shot(page, 'household-cases')
  await page.getByRole('tab', { name: /附件/ }).click()
  await expect(page.getByTestId('attachment-入户照片.png')).toBeVisible()
  await page.getByTestId(`household-case-${caseId}`).click()
  await expect(page).toHaveURL(new RegExp(`/cases/${caseId}$`))
})

async function staffPage(browser: Browser, user: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  await signIn(page, user)
  return page
}

test('the township leader signs off with a file the timeline names; files uploaded and then cancelled or removed leave the household', async ({ browser, page }) => {
  test.setTimeout(120_000)
  const [clerk, village] = [await staffPage(browser, 'ax.clerk'), await staffPage(browser, 'ax.village')]
  const name = `柏秋生${run}`
  const household = await api<{ id: number }>(clerk, 'POST', '/api/v1/households', {
    division_code: '330523101201', category: 'rural', address: '梅溪村 5 组 3 号',
    members: [
      { name, id_number: idNumber('19640811', 101 + 2 * (run % 400)), relation: 'self', labour_capacity: 'partial' },
      { name: `${name.slice(0, 1)}月娥`, id_number: idNumber('19670302', 100 + 2 * (run % 400)), relation: 'spouse', labour_capacity: 'none' },
    ],
    incomes: [{ kind: 'farming', source: '茶园', monthly_fen: 50000 }],
  })
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
  const created = await api<{ id: number }>(village, 'POST', '/api/v1/cases', { household_id: household.id, channel: 'village', authorisation_signed_on: today })
  const caseId = created.id
  const step = async (as: Page, path: string, body: Record<string, unknown> = {}) => {
    const c = await api<{ version: number }>(as, 'GET', `/api/v1/cases/${caseId}`)
    return api<{ version: number; visits: { id: number }[] }>(as, 'POST', `/api/v1/cases/${caseId}/${path}`, { version: c.version, ...body })
  }
  await step(clerk, 'accept')
  await step(clerk, 'start-investigation')
  await step(clerk, 'checks', { department: '公安（车辆）', result: 'consistent', checked_on: today })
  const ids = [(await me(clerk)).body.user.id, (await me(village)).body.user.id]
  const v = await step(clerk, 'visits', { visited_on: today, findings: '入户核实，情况属实。', investigator_ids: ids })
  await step(village, `visits/${v.visits[v.visits.length - 1].id}/sign`)
  await step(clerk, 'proposal', { recommendation: 'approve', opinion: '家庭人均收入低于保障标准，拟纳入农村低保。' })
  for (const p of [clerk, village]) await p.context().close()

  await signIn(page, 'ax.leader')
  await page.goto(`/cases/${caseId}`)
  await expect(page.getByTestId('case-state')).toHaveText('调查核实')
  const filesOf = async () =>
    (await api<{ attachments: { file_name: string; uploaded_by: string }[] }>(page, 'GET', `/api/v1/households/${household.id}`)).attachments.map(
      (a) => `${a.file_name}:${a.uploaded_by}`,
    )
  const dialog = page.getByRole('dialog', { name: '签署审核意见' })
  const input = dialog.getByTestId('attachment-upload').locator('input[type=file]')

  // The leader uploads a draft, then cancels: the draft was filed with the household while
  // the dialog was open, and leaves it again with the cancel (he may delete his own file
  // that no step cites, though he may not edit the household).
  await page.getByTestId('action-sign_off').click()
  await expect(dialog).toBeVisible()
  await input.setInputFiles({ name: '作废草稿.pdf', mimeType: 'application/pdf', buffer: pdf })
  await expect(dialog.getByTestId('attachment-upload-作废草稿.pdf').getByRole('link', { name: '作废草稿.pdf' })).toBeVisible()
  expect(await filesOf()).toContain('作废草稿.pdf:周海燕')
  await dialog.getByRole('button', { name: '取消' }).click()
  await expect(dialog).toBeHidden()
  await expect.poll(filesOf).not.toContain('作废草稿.pdf:周海燕')
  await expect(page.getByTestId('case-state')).toHaveText('调查核实')

  // Leaving the page with the dialog open withdraws its upload too: to the work list and
  // back, then the browser's forward button while the dialog is open.
  await page.getByRole('button', { name: '返回' }).click()
  await expect(page).toHaveURL(/\/cases$/)
  await page.goBack()
  await expect(page.getByTestId('case-state')).toHaveText('调查核实')
  await page.getByTestId('action-sign_off').click()
  await expect(dialog).toBeVisible()
  await input.setInputFiles({ name: '未提交草稿.pdf', mimeType: 'application/pdf', buffer: pdf })
  await expect(dialog.getByTestId('attachment-upload-未提交草稿.pdf').getByRole('link', { name: '未提交草稿.pdf' })).toBeVisible()
  expect(await filesOf()).toContain('未提交草稿.pdf:周海燕')
  await page.goForward()
  await expect(page).toHaveURL(/\/cases$/)
  await expect.poll(filesOf).not.toContain('未提交草稿.pdf:周海燕')
  await page.goBack()
  await expect(page.getByTestId('case-state')).toHaveText('调查核实')

  // Opened again, the dialog starts without them.
  await page.getByTestId('action-sign_off').click()
  await expect(dialog).toBeVisible()
  await expect(dialog.getByTestId('attachment-upload-list')).toHaveCount(0)
  await dialog.getByTestId('dialog-text').fill('同意，审批表附后。')
  await input.setInputFiles({ name: '乡镇审批表.pdf', mimeType: 'application/pdf', buffer: pdf })
  await expect(dialog.getByTestId('attachment-upload-乡镇审批表.pdf').getByRole('link', { name: '乡镇审批表.pdf' })).toBeVisible()
  await input.setInputFiles({ name: '误传照片.png', mimeType: 'image/png', buffer: photo })
  const extra = dialog.getByTestId('attachment-upload-误传照片.png')
  await expect(extra.getByRole('link', { name: '误传照片.png' })).toBeVisible()
  // The × removes the leader's own fresh upload from the household again.
  const remove = extra.getByRole('button', { name: '移除 误传照片.png（同时从户档案删除）' })
  await expect(remove).toBeVisible()
  await shot(page, 'case-signoff-attachment')
  await remove.click()
  await expect(extra).toHaveCount(0)
  await expect(dialog.getByTestId('attachment-upload-error')).toHaveCount(0)
  expect(await filesOf()).not.toContain('误传照片.png:周海燕')
  await dialog.getByTestId('dialog-confirm').click()
  await expect(dialog).toBeHidden()
  await expect(page.getByTestId('case-state')).toHaveText('乡镇已审核')

  // The sign-off's entry on the timeline names the leader's file, not the one left out.
  const timeline = page.getByTestId('case-timeline')
  const entry = timeline.locator('.el-timeline-item').filter({ hasText: '周海燕' }).filter({ hasText: '签署审核意见' })
  await expect(entry.getByTestId('file-乡镇审批表.pdf')).toBeVisible()
  await expect(timeline).not.toContainText('误传照片.png')
  await entry.scrollIntoViewIfNeeded()
  await shot(page, 'case-signoff-timeline')
  const [download] = await Promise.all([page.waitForEvent('download'), entry.getByTestId('file-乡镇审批表.pdf').click()])
  expect(readFileSync(await download.path()).equals(pdf)).toBe(true)
  // Only the file the step carries is on the household's record, under the leader's name:
  // neither the cancelled draft nor the removed photo.
  expect(await filesOf()).toEqual(['乡镇审批表.pdf:周海燕'])
  // Now that the sign-off cites it, it is no longer his to delete.
  const [memo] = (await api<{ attachments: { id: number; file_name: string }[] }>(page, 'GET', `/api/v1/households/${household.id}`)).attachments
  const csrf = (await me(page)).body.csrf_token as string
  const refused = await page.request.delete(`/api/v1/households/${household.id}/attachments/${memo.id}`, { headers: { 'X-CSRF-Token': csrf } })
  expect(refused.status(), await refused.text()).toBe(409)
})
