/**
 * The pages a customer sees: sign-in, consent and error. Server-rendered HTML with inline styles
 * and no script or external asset, so they work offline, under a strict Content-Security-Policy,
 * and with a keyboard alone: native form controls, a label for each, errors announced with
 * `role="alert"` and tied to their field with `aria-describedby`.
 */
import { type Account, type Customer, maskedAccount } from '../banking/customers.ts'
import { PERMISSIONS } from '../banking/permissions.ts'

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** HTML-escapes text for an element or a quoted attribute. */
export const esc = (text: string) => text.replace(/[&<>"']/g, c => ESCAPES[c] as string)

const BANK = 'OB Mock Bank'

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#f3f2f1}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
header{background:#0b3d2e;color:#fff;padding:.75rem 1.5rem}header p{margin:0;font-weight:700;font-size:1.25rem}
main{max-width:40rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:.5rem;box-shadow:0 1px 3px #0003}
h1{font-size:1.6rem;line-height:1.25;margin-top:0}
.field{margin:1rem 0}label{display:block;font-weight:600;margin-bottom:.25rem}
input[type=text],input[type=password]{width:100%;padding:.5rem;font:inherit;border:2px solid #505a5f;border-radius:.25rem}
input[aria-invalid=true]{border-color:#b10e1e}
fieldset{border:0;margin:1rem 0;padding:0}legend{font-weight:700;font-size:1.15rem;margin-bottom:.5rem}
.choice{display:flex;gap:.75rem;align-items:flex-start;margin:.5rem 0;padding:.5rem;border:1px solid #b1b4b6;border-radius:.25rem}
.choice input{width:1.4rem;height:1.4rem;margin:.15rem 0 0}.choice label{font-weight:400;margin:0}
.choice .number{display:block;color:#505a5f;font-variant-numeric:tabular-nums}
.actions{display:flex;flex-wrap:wrap;gap:1rem;margin-top:1.5rem}
button{font:inherit;font-weight:600;padding:.6rem 1.2rem;border-radius:.25rem;border:2px solid #0b3d2e;background:#0b3d2e;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b3d2e}
:focus-visible{outline:3px solid #fd0;outline-offset:2px;box-shadow:0 0 0 5px #0b0c0c}
.error{border-left:5px solid #b10e1e;padding:.5rem 1rem;background:#fdf0f1;margin:1rem 0}
.error-message{color:#b10e1e;font-weight:600}
.hint{color:#505a5f}
ul.permissions{padding-left:1.25rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #b1b4b6}
code{background:#f3f2f1;padding:0 .25rem}
details{margin-top:1.5rem}
footer{text-align:center;color:#505a5f;font-size:.875rem;margin-bottom:2rem}
`

/** The whole document around a page's main content. */
function layout(title: string, main: string): string {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} – ${BANK}</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header><p>${BANK}</p></header>
<main id="main">
${main}
</main>
<footer><p>A test bank for UK Open Banking: every customer, account and amount is made up.</p></footer>
</body>
</html>
`
}

/** The Content-Security-Policy of every page: nothing may load; inline styles only. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"

export interface TppView {
  name: string
  organisation?: string | undefined
}

const tppName = (tpp: TppView) =>
  tpp.organisation
    ? `<strong>${esc(tpp.name)}</strong> (${esc(tpp.organisation)})`
    : `<strong>${esc(tpp.name)}</strong>`

/** The hidden anti-CSRF field every form of the pages carries. */
const csrfField = (token: string) => `<input type="hidden" name="csrf" value="${esc(token)}">`

export interface SignInView {
  action: string
  /** The session's anti-CSRF token. */
  csrf: string
  tpp: TppView
  customers: readonly Customer[]
  password: string
  username?: string
  error?: string
}

export function signInPage(v: SignInView): string {
  const invalid = v.error ? ' aria-invalid="true" aria-describedby="sign-in-error"' : ''
  const rows = v.customers
    .map(c => `<tr><td><code>${esc(c.username)}</code></td><td>${esc(c.name)}</td><td>${c.accounts.length}</td></tr>`)
    .join('\n')
  return layout(
    'Sign in',
    `<h1>Sign in to ${BANK}</h1>
<p>${tppName(v.tpp)} has asked to see information about your accounts. Sign in to review the request.</p>
${v.error ? `<div class="error" role="alert" id="sign-in-error"><p class="error-message">${esc(v.error)}</p></div>` : ''}
<form method="post" action="${esc(v.action)}">
${csrfField(v.csrf)}
<div class="field">
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${esc(v.username ?? '')}"${invalid}>
</div>
<div class="field">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${invalid}>
</div>
<div class="actions">
<button type="submit" name="action" value="sign-in">Sign in</button>
<button type="submit" name="action" value="cancel" class="secondary" formnovalidate>Cancel and return to ${esc(v.tpp.name)}</button>
</div>
</form>
<details>
<summary>Test customers</summary>
<p>Every test customer's password is <code>${esc(v.password)}</code>.</p>
<table>
<caption class="hint">Customers of this test bank</caption>
<thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">Accounts</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</details>`,
  )
}

export interface ConsentView {
  action: string
  /** The session's anti-CSRF token. */
  csrf: string
  tpp: TppView
  customer: Customer
  permissions: readonly string[]
  expirationDateTime?: string | undefined
  selected?: readonly string[]
  error?: string
}

const accountType = (a: Account) => (a.accountSubType === 'Savings' ? 'Savings account' : 'Current account')

/** "6 January 2026 at 09:00 UTC" for an ISO date-time. */
function longDate(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const date = d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })
  return `${date} at ${time} UTC`
}

export function consentPage(v: ConsentView): string {
  const selected = new Set(v.selected ?? [])
  const described = v.error ? 'accounts-hint accounts-error' : 'accounts-hint'
  const accounts = v.customer.accounts
    .map(
      (a, i) => `<div class="choice">
<input type="checkbox" id="account-${i + 1}" name="account" value="${esc(a.accountId)}"${selected.has(a.accountId) ? ' checked' : ''}>
<label for="account-${i + 1}">${esc(a.nickname)}, ${accountType(a)}<span class="number">${esc(maskedAccount(a))}</span></label>
</div>`,
    )
    .join('\n')
  const permissions = v.permissions.map(p => `<li>${esc(PERMISSIONS[p] ?? p)}</li>`).join('\n')
  const until = v.expirationDateTime
    ? `This access ends on ${esc(longDate(v.expirationDateTime))}, or earlier if you withdraw it.`
    : 'This access has no end date: it lasts until you withdraw it.'
  return layout(
    'Share your account information',
    `<h1>Share your account information with ${esc(v.tpp.name)}</h1>
<p>You are signed in as ${esc(v.customer.name)}.</p>
<p>${tppName(v.tpp)} is asking to see:</p>
<ul class="permissions">
${permissions}
</ul>
<p>${until}</p>
<form method="post" action="${esc(v.action)}">
${csrfField(v.csrf)}
<fieldset aria-describedby="${described}">
<legend>Choose the accounts to share</legend>
<p class="hint" id="accounts-hint">${esc(v.tpp.name)} will see only the accounts you choose.</p>
${v.error ? `<div class="error" role="alert" id="accounts-error"><p class="error-message">${esc(v.error)}</p></div>` : ''}
${accounts}
</fieldset>
<div class="actions">
<button type="submit" name="decision" value="approve">Allow access</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</div>
</form>`,
  )
}

export interface ErrorView {
  title: string
  message: string
  /** The protocol error, for the developer who reads the page. */
  error?: string
  description?: string
}

export function errorPage(v: ErrorView): string {
  const detail =
    v.error !== undefined
      ? `<p class="hint">Details for the developer: <code>${esc(v.error)}</code>${v.description ? `: ${esc(v.description)}` : ''}</p>`
      : ''
  return layout(
    v.title,
    `<h1>${esc(v.title)}</h1>
<div class="error" role="alert"><p>${esc(v.message)}</p></div>
${detail}
<p>You can close this page and return to the app or website you came from.</p>`,
  )
}
