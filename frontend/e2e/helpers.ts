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

/** A JSON call with the page's session (and its CSRF token); fails the test on an error status. */
export async function api<T = Record<string, unknown>>(page: Page, method: string, path: string, data?: unknown): Promise<T> {
  const csrf = (await me(page)).body.csrf_token as string
  const res = await page.request.fetch(path, { method, data, headers: { 'X-CSRF-Token': csrf } })
  expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBeTruthy()
  return (await res.json()) as T
}

/** What the specs read of a case. */
export interface CaseView {
  id: number
  version: number
  state: string
  visits: { id: number }[]
}

/** One step of a case through the API, on the case's current version. */
export async function step(page: Page, id: number, path: string, body: Record<string, unknown> = {}): Promise<CaseView> {
  const c = await api<CaseView>(page, 'GET', `/api/v1/cases/${id}`)
  return api<CaseView>(page, 'POST', `/api/v1/cases/${id}/${path}`, { version: c.version, ...body })
}
