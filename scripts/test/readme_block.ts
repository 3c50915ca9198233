/** Runs a shell block of the README exactly as written: the walkthrough tests share it. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** The ```sh block between `<!-- name:start -->` and `<!-- name:end -->` in README.md. */
export function readmeBlock(name: string): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
  const block = new RegExp(`<!-- ${name}:start -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}:end -->`).exec(
    readme,
  )?.[1]
  assert.ok(block, `README has the ${name} block`)
  return block
}

/**
 * Runs `block` with bash -euo pipefail in `cwd` (the project root unless given), BANK set to
 * `bankUrl`, killed after two minutes; asserts it exits 0 and returns its standard output.
 * Asynchronous: the bank may answer from this very process.
 */
export async function runBlock(block: string, bankUrl: string, cwd = root): Promise<string> {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', block], {
    cwd,
    env: { ...process.env, BANK: bankUrl },
  })
  let out = ''
  let err = ''
  child.stdout.on('data', d => (out += d))
  child.stderr.on('data', d => (err += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(timer)
  assert.equal(code, 0, `${out}\n${err}`)
  return out
}

/** What the README's DCR walkthrough (the `walkthrough` block) prints when every step worked. */
export function assertDcrWalkthrough(out: string): void {
  assert.match(out, /"registration_endpoint":"https:\/\/localhost:\d+\/register"/)
  assert.match(out, /"client_id":"[0-9a-f-]{36}"/)
  assert.match(out, /"token_type":"Bearer"/)
  assert.match(out, /"redirect_uris":\["https:\/\/alpha\.tpp\.example\/callback2"\]/)
  assert.match(out, /DELETE 204/)
  assert.match(out, /"error":"invalid_token".* GET 401/)
}

/** What the README's AU walk-through (the `au-walkthrough` block) prints when every step worked. */
export function assertAuWalkthrough(out: string): void {
  assert.match(out, /"client_id":"[0-9a-f-]{36}"/)
  assert.match(out, /"software_roles":"data-recipient-software-product"/)
  assert.match(out, /"token_type":"Bearer","expires_in":300,"scope":"cdr:registration"/)
  assert.match(out, /"redirect_uris":\["https:\/\/mercury\.adr\.example\/callback2"\]/)
  assert.match(out, /DELETE 204/)
  assert.match(out, /"error":"invalid_token".* GET 401/)
}
