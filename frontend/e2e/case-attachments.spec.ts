import { readFileSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { me, screenshot, signIn } from './helpers'

// A township clerk of 梅溪镇 starts an application from the household's own page and lands
// on the new case; then records the home visit with a photo uploaded in the dialog, which
// the timeline offers for download. The household is registered here, with ID numbers no
// other spec uses (born 1963 and 1966), so the other specs' data stay as they expect.

/** A valid ID number (GB 11643) of 安吉县 born on birth (YYYYMMDD). */
function idNumber(birth: string, seq: number): string {
  const first = `330523${birth}${String(seq).padStart(3, '0')}`
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...first].reduce((s, c, i) => s + Number(c) * weights[i], 0)
  return first + '10X98765432'[sum % 11]
}

const run = Date.now() % 400
const head = `邵春林${run}`

/** A JSON call with the page's session. */
async function api<T = Record<string, unknown>>(page: Page, method: string, path: string, data?: unknown): Promise<T> {
  const csrf = (await me(page)).body.csrf_token as string
  const res = await page.request.fetch(path, { method, data, headers: { 'X-CSRF-Token': csrf } })
  expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBeTruthy()
  return (await res.json()) as T
}

/** A real PNG of 2×2 pixels. */
const photo = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
)

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
  await page.getByTestId('household-new-application').click()
  const submit = page.getByRole('dialog', { name: '新的低保申请' })
  await expect(submit).toBeVisible()
  await expect(submit.getByTestId('submit-household')).toContainText(head) // chosen already, and fixed
  await submit.getByTestId('submit-reason').fill('户主腰椎病，不能从事重体力劳动。')
  await shot(page, 'household-new-application')
  await submit.getByTestId('submit-confirm').click()
  await expect(page).toHaveURL(/\/cases\/\d+$/)
  await expect(page.getByTestId('case-state')).toHaveText('已申请')
  await expect(page.getByTestId('case-title')).toContainText(head)
  const caseId = Number(page.url().split('/').pop())

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
