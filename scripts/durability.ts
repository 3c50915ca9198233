/**
 * `npm run durability [-- --registrations N --kill-after K --connections C --keep]`: kill -9 the
 * mock bank (SQLite store) during a burst of concurrent registrations, restart it on the same
 * file, and check that every registration acknowledged with 201 is still there and usable.
 * Writes reports/durability.json; exits 1 if any acknowledged registration was lost.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { runDurability } from '../mock-aspsp/test/durability/durability.ts'

const { values } = parseArgs({
  options: {
    registrations: { type: 'string', default: '1000' },
    'kill-after': { type: 'string', default: '300' },
    connections: { type: 'string', default: '128' },
    keep: { type: 'boolean', default: false },
    out: { type: 'string', default: 'reports/durability.json' },
  },
})

const report = await runDurability({
  registrations: Number(values.registrations),
  killAfter: Number(values['kill-after']),
  connectionsPerTpp: Number(values.connections),
  ports: [9280, 9299],
  keep: values.keep,
  log: line => console.log(line),
})
mkdirSync(path.dirname(values.out), { recursive: true })
writeFileSync(values.out, `${JSON.stringify({ measuredAt: new Date().toISOString(), ...report }, null, 2)}\n`)
console.log(
  [
    `durability: ${report.registrationsSent} registrations sent at once, bank killed (SIGKILL) after ${report.killAfter} acknowledgements (${report.killedAtMs} ms into the burst)`,
    `  acknowledged (201): ${report.acknowledged}`,
    `  retrievable and working after restart: ${report.retrievableAndWorking}`,
    `  lost: ${report.lost}`,
    `  rejected before the kill: ${report.rejected.length}`,
    `  in flight, no answer: ${report.inFlightUnknown} (committed anyway: ${report.committedWithoutAcknowledgement})`,
    `  rows in the store after restart: ${report.rowsAfterRestart}; restart ${report.restartMs} ms, verification ${report.verifyMs} ms`,
    `durability: report written to ${values.out}`,
  ].join('\n'),
)
process.exit(report.lost === 0 && report.rejected.length === 0 ? 0 : 1)
