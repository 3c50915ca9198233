/**
 * Loaded into the fuzzed bank with `--import`: its fetch may reach loopback only. A fuzzed
 * software statement names whatever JWKS URL it likes; the bank must not carry that off the
 * machine. The real keystore host is answered by msw before fetch gets here.
 */
const loopback = new Set(['localhost', '127.0.0.1', '[::1]'])
const realFetch = globalThis.fetch

globalThis.fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  let host = ''
  try {
    host = new URL(href).hostname
  } catch {
    // not a URL: fetch itself will refuse it
  }
  if (host && !loopback.has(host)) {
    process.stderr.write(`network-guard: blocked ${host}\n`)
    return Promise.reject(new TypeError(`fetch to ${host} is blocked in the fuzz run`))
  }
  return realFetch(input, init)
}
