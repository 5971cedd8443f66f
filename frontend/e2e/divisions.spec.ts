import { expect, test, type Page } from '@playwright/test'
import { screenshot, signIn } from './helpers'

/** Opens a tree node's children by clicking its expand arrow. */
async function expandNode(page: Page, code: string) {
  const row = page.locator('.el-tree-node__content', { has: page.getByTestId(`division-node-${code}`) }).first()
  await expect(row).toBeVisible()
  const icon = row.locator('.el-tree-node__expand-icon')
  if (!(await icon.getAttribute('class'))?.includes('expanded')) await icon.click()
}

test('the county administrator renames, adds and retires villages', async ({ page }) => {
  await signIn(page, 'ax.admin')
  await page.getByRole('menuitem', { name: '区划管理' }).click()
  await expect(page).toHaveURL(/\/divisions$/)
  const tree = page.getByTestId('division-tree').first()
  const detail = page.getByTestId('division-detail')

  // The tree starts at the county; open the township and pick a village.
  await expect(detail.getByTestId('division-detail-name')).toHaveText('安吉县')
  await expandNode(page, '330523')
  await expandNode(page, '330523101')
  await tree.getByTestId('division-node-330523101212').click()
  await expect(detail.getByTestId('division-detail-name')).toHaveText('西亩村')
  await expect(detail).toContainText('浙江省 / 湖州市 / 安吉县 / 梅溪镇')
  await expect(detail).toContainText('220 村庄')

  // Rename it: the tree and the history show the new name.
  await detail.getByTestId('division-edit').click()
  const dialog = page.getByRole('dialog', { name: '修改区划' })
  await dialog.getByTestId('division-name').fill('西亩新村')
  await dialog.locator('input[name="reason"]').fill('村名变更')
  await dialog.getByTestId('division-save').click()
  await expect(dialog).toBeHidden()
  await expect(tree.getByTestId('division-node-330523101212')).toContainText('西亩新村')
  const history = detail.getByTestId('division-history')
  await expect(history).toContainText('名称：西亩村 → 西亩新村')
  await expect(history).toContainText('陈志强')
  await expect(history).toContainText('村名变更')
  await screenshot(page, 'divisions-tree')

  // A wrong code is refused with the reason under the field, nothing added.
  await tree.getByTestId('division-node-330523101').click()
  await expect(detail.getByTestId('division-detail-name')).toHaveText('梅溪镇')
  await detail.getByTestId('division-add').click()
  const add = page.getByRole('dialog', { name: '新增村（社区）' })
  await expect(add.getByTestId('division-code')).toHaveValue('330523101213') // the next free code
  await add.getByTestId('division-code').fill('330523101202')
  await add.getByTestId('division-name').fill('重复村')
  await add.getByTestId('division-save').click()
  await expect(add).toContainText('区划代码 330523101202 已存在（荆湾村）')

  // Add a village with the suggested code.
  await add.getByTestId('division-code').fill('330523101213')
  await add.getByTestId('division-name').fill('新建村')
  await add.getByTestId('division-save').click()
  await expect(add).toBeHidden()
  await expect(tree.getByTestId('division-node-330523101213')).toContainText('新建村')
  await expect(detail.getByTestId('division-detail-name')).toHaveText('新建村')
  await expect(detail.getByTestId('division-history')).toContainText('新增')

  // Retire it: it stays in the tree, marked 已撤销, with its history.
  await detail.getByTestId('division-retire').click()
  const box = page.locator('.el-message-box')
  await box.locator('input').fill('并入梅溪村')
  await box.getByRole('button', { name: '确定撤销' }).click()
  await expect(tree.getByTestId('division-node-330523101213').getByTestId('retired-tag')).toHaveText('已撤销')
  await expect(detail.getByTestId('division-history')).toContainText('并入梅溪村')
  await expect(detail.getByTestId('division-history')).toContainText('状态：正常 → 已撤销')
  await expect(detail.getByTestId('division-reactivate')).toBeVisible()

  // Search finds by name and opens the tree there.
  await tree.getByTestId('division-search').fill('荆湾')
  await page.getByTestId('division-hit-330523101202').click()
  await expect(detail.getByTestId('division-detail-name')).toHaveText('荆湾村')
})

test('the platform provisions a county and imports its code list, all or nothing', async ({ page }) => {
  await signIn(page, 'platform')
  await page.getByRole('menuitem', { name: '县区开通' }).click()
  await expect(page).toHaveURL(/\/counties$/)

  await page.locator('input[name="county_code"]').fill('330599')
  await page.locator('input[name="county_name"]').fill('测试县')
  await page.getByTestId('provision-submit').click()
  await expect(page.getByTestId('provision-result')).toContainText('已开通测试县（330599）')
  await expect(page.locator('input[name="import_county"]')).toHaveValue('330599')

  // Provisioning it again is refused, naming the problem.
  await page.getByTestId('provision-submit').click()
  await expect(page.getByText('县 330599（测试县）已开通')).toBeVisible()

  // The template is offered for download.
  const templateDownload = page.waitForEvent('download')
  await page.getByTestId('import-template').click()
  expect((await templateDownload).suggestedFilename()).toMatch(/\.xlsx$/)

  // One bad row: nothing is imported, every problem is listed, a report can be downloaded.
  const header = '区划代码,名称,级别,上级代码,城乡分类代码\n'
  const good = '330599101,新安镇,乡镇,330599,\n330599101201,新安村,村,330599101,220\n330599102,东坡乡,乡镇,330599,\n'
  const input = page.getByTestId('import-upload').locator('input[type="file"]')
  await input.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(header + good + '330599102201,坏村,村,330599102,999\n') })
  await expect(page.getByTestId('import-failure')).toContainText('导入文件中有 1 处错误，未导入任何数据')
  const errors = page.getByTestId('import-errors')
  await expect(errors).toContainText('330599102201')
  await expect(errors).toContainText('城乡分类代码')
  await expect(errors).toContainText('城乡分类代码 999 无效')
  await expect(errors.locator('tbody tr').first()).toContainText('5')
  await screenshot(page, 'divisions-import-report')
  const reportDownload = page.waitForEvent('download')
  await page.getByTestId('import-report-download').click()
  expect((await reportDownload).suggestedFilename()).toBe('区划导入错误报告.xlsx')
  const nothing = await page.request.get('/api/v1/divisions/330599/children')
  expect((await nothing.json()).items).toEqual([])

  // The corrected file goes in whole.
  await input.setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(header + good + '330599102201,东坡村,村,330599102,220\n') })
  await expect(page.getByTestId('import-success')).toContainText('导入成功：2 个乡镇（街道）、2 个村（社区）')
  await expect(page.getByTestId('import-failure')).toHaveCount(0)

  // And the townships are in the tree.
  await page.getByTestId('import-view-tree').click()
  await expect(page).toHaveURL(/\/divisions\?code=330599$/)
  await expect(page.getByTestId('division-detail-name')).toHaveText('测试县')
  await expandNode(page, '330599')
  await expect(page.getByTestId('division-node-330599101')).toContainText('新安镇')
  await expect(page.getByTestId('division-node-330599102')).toContainText('东坡乡')
  await expect(page.getByTestId('division-add')).toHaveCount(0) // the platform provisions; counties manage
})

test('a township clerk picks a village to work in and the header shows it', async ({ page }) => {
  await signIn(page, 'ax.clerk')
  const picker = page.getByTestId('working-division')
  await expect(page.getByTestId('working-division-name')).toHaveText('梅溪镇')
  await picker.click()
  const panel = page.getByTestId('working-division-panel')
  await expect(panel).toBeVisible()
  await expandNode(page, '330523101')
  await expect(panel.getByTestId('division-node-330523101201')).toBeVisible()
  await page.waitForTimeout(400) // let the tree's opening animation finish for the picture
  await screenshot(page, 'working-division-picker')
  await panel.getByTestId('division-node-330523101201').click()
  await expect(page.getByTestId('working-division-name')).toHaveText('梅溪村')
  await expect(panel).toBeHidden()

  // Remembered for this user after a reload.
  await page.reload()
  await expect(page.getByTestId('working-division-name')).toHaveText('梅溪村')
  // The clerk reads divisions but changes none.
  await page.getByRole('menuitem', { name: '区划管理' }).click()
  await expect(page.getByTestId('division-detail-name')).toHaveText('梅溪村')
  await expect(page.getByTestId('division-edit')).toHaveCount(0)
})
