import { gzipSync } from 'node:zlib'
import { expect, test, type Response } from '@playwright/test'

const BUDGET = 250 * 1024

test('the sign-in route loads at most 250 KB of gzipped JavaScript', async ({ page }, testInfo) => {
  const scripts: Response[] = []
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') scripts.push(response)
  })
  await page.goto('/login', { waitUntil: 'networkidle' })
  await expect(page.locator('input[name="username"]')).toBeVisible()

  const sizes = await Promise.all(scripts.map(async (r) => gzipSync(await r.body(), { level: 9 }).length))
  const total = sizes.reduce((sum, size) => sum + size, 0)
  const report = `sign-in route: ${scripts.length} scripts, ${(total / 1024).toFixed(1)} KB gzipped`
  testInfo.annotations.push({ type: 'bundle', description: report })
  console.log(report)
  expect(scripts.length).toBeGreaterThan(0)
  expect(total).toBeLessThanOrEqual(BUDGET)
})
