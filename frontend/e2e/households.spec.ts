import { expect, test, type Page } from '@playwright/test'
import { me, screenshot, signIn } from './helpers'
import { idNumber as regionIdNumber } from './xlsx'

// The household registry (一户一档) as the township caseworker of 梅溪镇: register a household
// of two in 梅溪村 (first meeting the check-digit message), find it by name, open it, upload
// a photo, reveal an ID number. The village worker of 梅溪村 then reads households of 梅溪村
// only.

/** A valid ID number (GB 11643) of 安吉县 born on birth (YYYYMMDD); seq odd for a man. */
const idNumber = (birth: string, seq: number): string => regionIdNumber('330523', birth, seq)

/** The smallest PNG: one transparent pixel. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')

const run = Date.now() % 1000
const head = { name: '柏青山', id: idNumber('19620315', 100 + ((run * 2 + 1) % 800)) }
const wife = { name: '柏林秀', id: idNumber('19650808', 100 + ((run * 2) % 800)) }

async function choose(page: Page, testid: string, option: string) {
  await page.getByTestId(testid).click()
  await page.getByRole('option', { name: option, exact: true }).last().click()
}

test('a caseworker registers, finds and documents a household; the village worker sees only their village', async ({ browser }) => {
  test.setTimeout(120_000)
  const clerkContext = await browser.newContext()
  const page = await clerkContext.newPage()
  await signIn(page, 'ax.clerk')
  await page.getByRole('menuitem', { name: '户籍档案' }).click()
  await expect(page.getByTestId('household-table')).toBeVisible()
  await page.getByTestId('household-create').click()

  // The village and the head, first with a mistyped last digit.
  await choose(page, 'household-village', '梅溪村（330523101201）')
  await page.getByTestId('household-address').fill('梅溪村 3 组 12 号')
  await page.getByTestId('member-0-name').fill(head.name)
  const wrong = head.id.slice(0, 17) + (head.id[17] === '0' ? '1' : '0')
  await page.getByTestId('member-0-id').fill(wrong)
  await page.getByTestId('member-0-name').click() // leaves the ID field
  await expect(page.getByText('身份证号校验位错误，请核对号码')).toBeVisible()
  await screenshot(page, 'households-form-check-digit')
  await page.getByTestId('member-0-id').fill(head.id)
  await page.getByTestId('member-0-name').click()
  await expect(page.getByText('身份证号校验位错误，请核对号码')).toHaveCount(0)
  await expect(page.getByTestId('member-0-birth').locator('input')).toHaveValue('1962-03-15') // from the ID number

  // The wife, an income in yuan and fen, phone and bank account.
  await page.getByTestId('member-add').click()
  await page.getByTestId('member-1-name').fill(wife.name)
  await page.getByTestId('member-1-id').fill(wife.id)
  await page.getByTestId('member-1-name').click()
  await choose(page, 'member-1-relation', '配偶')
  await page.getByTestId('income-add').click()
  await choose(page, 'income-0-member', head.name)
  await choose(page, 'income-0-kind', '农业经营收入')
  await page.getByTestId('income-0-source').fill('茶园')
  await page.getByTestId('income-0-yuan').fill('450.5')
  await page.getByTestId('household-phone').fill('13857200001')
  await page.getByTestId('household-bank-name').fill('安吉农商银行')
  await page.getByTestId('household-bank-holder').fill(head.name)
  await page.getByTestId('household-bank-account').fill('6228480012345678901')
  await expect(page.getByText('计入家庭收入合计 450.50 元/月，人均 225.25 元/月')).toBeVisible()
  await screenshot(page, 'households-form-filled')
  await page.getByTestId('household-save').click()

  // The new household's page.
  await expect(page.getByTestId('household-title')).toHaveText(`${head.name} 户`)
  const householdUrl = page.url()
  await expect(page.getByTestId('detail-members')).toContainText(wife.name)
  await expect(page.getByTestId('detail-members')).not.toContainText(head.id) // masked
  await expect(page.getByTestId('reveal-phone-value')).toHaveText('138****0001')

  // Found by the start of the head's name.
  await page.getByRole('menuitem', { name: '户籍档案' }).click()
  await page.getByTestId('household-filter-q').fill('柏青')
  await page.getByTestId('household-search').click()
  await expect(page.getByTestId(`household-row-${head.name}`)).toBeVisible()
  await expect(page.getByTestId('household-table')).toContainText('330523********')
  await screenshot(page, 'households-list')
  await page.getByTestId(`household-row-${head.name}`).click()
  await expect(page).toHaveURL(householdUrl)

  // A photo, with its upload shown.
  await page.getByRole('tab', { name: /附件/ }).click()
  await page.getByTestId('attachment-file').setInputFiles({ name: '门前.png', mimeType: 'image/png', buffer: PNG })
  await expect(page.getByTestId('attachment-门前.png')).toBeVisible()
  await screenshot(page, 'households-attachments')

  // The head's ID number in full, for a while.
  await page.getByRole('tab', { name: /家庭成员/ }).click()
  await expect(page.getByTestId('reveal-member-0-value')).toHaveText(/^330523\*+\d{3}[\dX]$/)
  await page.getByTestId('reveal-member-0-reveal').click()
  await expect(page.getByTestId('reveal-member-0-value')).toHaveText(head.id)
  await screenshot(page, 'households-reveal')

  // The history shows who registered it.
  await page.getByRole('tab', { name: '变更记录' }).click()
  await expect(page.getByTestId('household-history')).toContainText('登记')
  await expect(page.getByTestId('household-history')).toContainText('上传附件')
  await screenshot(page, 'households-history')

  // A household of another village (荆湾村), registered through the API.
  const csrf = (await me(page)).body.csrf_token as string
  const other = await page.request.post('/api/v1/households', {
    headers: { 'X-CSRF-Token': csrf },
    data: { division_code: '330523101202', category: 'rural',
      members: [{ name: '荆一民', id_number: idNumber('19700101', 300 + (run % 300) * 2 + 1), relation: 'self' }] },
  })
  expect(other.status()).toBe(201)
  const otherId = (await other.json()).id as number
  await clerkContext.close()

  // The village worker of 梅溪村: this household, and no household of 荆湾村.
  const villageContext = await browser.newContext()
  const village = await villageContext.newPage()
  await signIn(village, 'ax.village')
  await village.getByRole('menuitem', { name: '户籍档案' }).click()
  await village.getByTestId('household-filter-q').fill('柏青')
  await village.getByTestId('household-search').click()
  await expect(village.getByTestId(`household-row-${head.name}`)).toBeVisible()
  await expect(village.getByTestId('household-create')).toHaveCount(0)
  await village.getByTestId('household-filter-q').fill('荆一')
  await village.getByTestId('household-search').click()
  await expect(village.getByTestId('household-table')).toContainText('没有符合条件的家庭户')
  await village.goto(householdUrl)
  await expect(village.getByTestId('household-title')).toBeVisible()
  await expect(village.getByTestId('household-edit')).toHaveCount(0)
  await expect(village.getByTestId('reveal-member-0-reveal')).toHaveCount(0) // no household:reveal
  await village.goto(`/households/${otherId}`)
  await expect(village.getByText('户档案不存在')).toBeVisible()
  await screenshot(village, 'households-village-worker')
  await villageContext.close()
})
