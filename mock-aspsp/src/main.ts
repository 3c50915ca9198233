/**
 * `npm start [-- options]`: the mock bank on https://localhost:8443 with the SQLite store.
 * `npm start -- --help` lists the options.
 */
import { parseCli, usage } from './cli.ts'
import type { MockOptions } from './config/defaults.ts'
import { profileFor } from './profiles/index.ts'
import { startMock } from './server.ts'
import { startHeapGuard } from './shared/heap_guard.ts'

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage())
    return
  }
  let options: MockOptions
  try {
    options = parseCli(
      argv.filter(a => a !== '--list-deviations'),
      process.env,
    )
  } catch (e) {
    console.error(`mock-aspsp: ${(e as Error).message}`)
    process.exit(2)
  }
  if (argv.includes('--list-deviations')) {
    for (const [name, d] of Object.entries(profileFor(options.profile).deviations))
      console.log(`${name.padEnd(34)} [${d.area}] ${d.breaks}`)
    return
  }
  let mock: Awaited<ReturnType<typeof startMock>>
  try {
    mock = await startMock(options)
  } catch (e) {
    console.error(`mock-aspsp: ${(e as Error).message}`)
    process.exit(1)
  }
  // Process-wide, so here rather than in startMock (tests and benchmarks host banks in-process).
  startHeapGuard(options.heapCeilingMb)
  const { bank } = mock
  // The handlers first: a supervisor may stop the bank as soon as it reads the discovery line,
  // and until a handler is installed SIGTERM kills the process outright (no exit code 0).
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    console.log(`mock-aspsp: ${signal}, closing`)
    mock.close().then(
      () => process.exit(0),
      e => {
        console.error(e)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  console.log(`mock-aspsp: ${bank.dcrProfile.title(options)} bank listening on ${mock.url}`)
  console.log(`  discovery   ${mock.url}/.well-known/openid-configuration`)
  if (new URL(mock.url).hostname !== mock.address) console.log(`  bound to    ${mock.address}:${mock.port}`)
  const serverCa = bank.dcrProfile.listenerTls(bank.pki, options).serverCaPath
  console.log(
    `  server cert ${mock.serverCertPath}${options.serverCert ? '' : ` (issued by the test CA: trust ${serverCa})`}`,
  )
  console.log(`  store       ${options.store === 'memory' ? 'memory (lost on exit)' : options.store}`)
  console.log(`  keys        ${bank.pki.dir}`)
  for (const line of bank.dcrProfile.banner(bank)) console.log(line)
  if (options.deviations.length) console.log(`  deviations  ${options.deviations.join(', ')}`)
}

await main()
