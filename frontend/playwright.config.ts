import { defineConfig } from '@playwright/test'

// The browser tests drive a real Dibao server; scripts/e2e.sh starts one and sets BASE_URL.
const baseURL = process.env.BASE_URL
if (!baseURL) {
  throw new Error(
    'BASE_URL is not set: start a Dibao server (e.g. `make e2e` or `make run`) and run with BASE_URL=http://127.0.0.1:8080',
  )
}

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results/artifacts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [['list']],
  use: {
    baseURL,
    locale: 'zh-CN',
    viewport: { width: 1366, height: 800 },
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
      ],
    },
  },
})
