import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, type Page } from '@playwright/test'

/** Password of every demo account. */
export const DEMO_PASSWORD = 'Dibao@2026'

const screenshotDir = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url))

/** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true })
  await page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: true })
}

export async function fillSignIn(page: Page, username: string, password: string): Promise<void> {
  await page.locator('input[name="username"]').fill(username)
  await page.locator('input[name="password"]').fill(password)
  await page.locator('button[type="submit"]').click()
}

/** Signs in through the form and waits for the signed-in layout. */
export async function signIn(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login')
  await fillSignIn(page, username, password)
  await expect(page.getByTestId('user-name')).toBeVisible()
}

/** Collects Content-Security-Policy violations the page reports from now on. */
export function cspViolations(page: Page): string[] {
  const violations: string[] = []
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text())
  })
  return violations
}

/** The session as the server sees it, asked with the page's cookies. */
export async function me(page: Page) {
  const response = await page.request.get('/api/v1/auth/me')
  return { status: response.status(), body: response.ok() ? await response.json() : null }
}
