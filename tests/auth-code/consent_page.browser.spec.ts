/**
 * The customer's part in a real Chromium: the bank's sign-in and consent pages, used as a person
 * would (labels, buttons, the keyboard alone), ending at the TPP's redirect URI — a host that does
 * not exist, answered by request interception. Runs in the browser project only.
 */

import type { Page } from '@playwright/test'
import { expect, jsonOf, test } from '../../fixtures/auth_code.ts'
import { chromiumMissing, interceptRedirect } from '../../fixtures/browser.ts'
import { responseParams } from '../../fixtures/builders/authorization.ts'
import { checkAccessDenied, checkAccountsAre, ensureCode, ensureCodeTokens } from '../checks/auth_code.ts'
import { ensureStatus } from '../checks/http.ts'

const spec = (description: string) => ({ type: 'spec', description })

/** WCAG 2.2 SC 1.3.1 / 4.1.2: every form control on the page has a label. */
async function checkEveryControlLabelled(page: Page) {
  await test.step('every form control has a label [WCAG-4.1.2]', async () => {
    for (const control of await page.locator('input:not([type=hidden])').all()) {
      const labels = await control.evaluate(el => (el as HTMLInputElement).labels?.length ?? 0)
      expect.soft(labels, `${await control.evaluate(el => el.outerHTML)} has no label`).toBeGreaterThan(0)
    }
  })
}

/**
 * The first test customer the sign-in page lists, and the shared test password it gives; `open`
 * unfolds the list as a person would (the keyboard test reads it without moving the focus).
 */
async function testCustomer(page: Page, open = true) {
  if (open) await page.getByText('Test customers').click()
  const username = await page.locator('details tbody tr').first().locator('td').first().textContent()
  const password = await page.locator('details p code').textContent()
  return { username: String(username).trim(), password: String(password).trim() }
}

test.describe('the consent page in a browser', { tag: ['@auth-code', '@browser'] }, () => {
  // A machine without Chromium skips these two with the reason; the verdict line names it.
  const missing = chromiumMissing()
  test.skip(missing !== undefined, missing)

  test('POS-AUTH-01 a customer signs in, chooses an account and allows access; the TPP then reads that account', {
    tag: '@positive',
    annotation: [spec('RFC6749-4.1'), spec('OIDC-Core-3.3'), spec('OB-AIS-consent')],
  }, async ({ page, aisp, registeredClient: client }) => {
    const bank = new URL(aisp.issuer).origin
    const requests: string[] = []
    page.on('request', r => requests.push(r.url()))
    const intentId = await aisp.consentId(client, ['ReadAccountsDetail', 'ReadBalances'])
    const sent = await aisp.requestObject(client, intentId)
    const landed = await interceptRedirect(page, aisp.issuer, sent.redirectUri)

    await page.goto(aisp.authorizationUrl(client, sent))
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/Sign in/)
    const tppName = String(client.body.client_name ?? client.body.software_client_name ?? '')
    await expect(page.getByRole('main')).toContainText(tppName)
    await checkEveryControlLabelled(page)
    const { username, password } = await testCustomer(page)
    await page.getByLabel('Username').fill(username)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()

    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Share your account information with ${tppName}`)
    await expect(page.getByRole('listitem').filter({ hasText: 'Your account balances' })).toBeVisible()
    await checkEveryControlLabelled(page)
    const accounts = page.getByRole('group', { name: 'Choose the accounts to share' }).getByRole('checkbox')
    await expect(accounts.first()).toBeVisible()
    await page.getByRole('button', { name: 'Allow access' }).click()
    await expect(page.getByRole('alert')).toContainText('Choose at least one account')
    const first = page.getByRole('group', { name: 'Choose the accounts to share' }).getByRole('checkbox').first()
    await first.check()
    const chosen = String(await first.getAttribute('value'))
    await page.getByRole('button', { name: 'Allow access' }).click()

    const back = await landed()
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Back at the TPP')
    const params = responseParams(back.href)
    const code = await ensureCode(params, sent.state)
    await test.step('the pages loaded nothing from anywhere but the bank [no external assets]', async () => {
      const foreign = requests.filter(u => !u.startsWith(bank) && !u.startsWith(new URL(sent.redirectUri).origin))
      expect(foreign, 'requests to other origins').toEqual([])
    })

    const tokens = await ensureCodeTokens(await aisp.redeem(client, sent, code))
    const list = await aisp.resource('/accounts', tokens.accessToken, client.tpp.profile)
    await ensureStatus(list, 200)
    await checkAccountsAre(list, [chosen])
  })

  test('POS-AUTH-02 a customer denies access with the keyboard alone; the TPP hears access_denied', {
    tag: '@positive',
    annotation: [spec('RFC6749-4.1.2.1'), spec('WCAG-2.1.1'), spec('OB-AIS-consent-status')],
  }, async ({ page, aisp, registeredClient: client }) => {
    const intentId = await aisp.consentId(client)
    const sent = await aisp.requestObject(client, intentId)
    const landed = await interceptRedirect(page, aisp.issuer, sent.redirectUri)

    await page.goto(aisp.authorizationUrl(client, sent))
    const { username, password } = await testCustomer(page, false)
    await page.keyboard.press('Tab')
    await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused()
    await page.keyboard.press('Tab')
    await expect(page.getByLabel('Username')).toBeFocused()
    await page.keyboard.type(username)
    await page.keyboard.press('Tab')
    await expect(page.getByLabel('Password')).toBeFocused()
    await page.keyboard.type(password)
    await page.keyboard.press('Enter')

    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/Share your account information/)
    const deny = page.getByRole('button', { name: 'Deny' })
    const stops = (await page.getByRole('checkbox').count()) + 3 // skip link, the boxes, Allow, Deny
    for (let i = 0; i < stops; i++) await page.keyboard.press('Tab')
    await expect(deny).toBeFocused()
    await page.keyboard.press('Enter')

    const back = await landed()
    await checkAccessDenied(responseParams(back.href), sent.state)
    const consent = await aisp.readConsent(client, intentId)
    await test.step('the consent is now Rejected [OB-AIS-consent-status]', async () => {
      expect.soft((jsonOf(consent).Data as Record<string, unknown> | undefined)?.Status).toBe('Rejected')
    })
  })
})
