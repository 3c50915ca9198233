/**
 * `npm run keys [-- --force]`: makes sure the test PKI exists (generating it when missing or
 * close to expiry) and prints what it holds. `--force` regenerates everything.
 */
import { ensurePki } from './pki.ts'

const force = process.argv.includes('--force')
if (process.argv.includes('--help')) {
  console.log('usage: npm run keys [-- --force]\n  --force  regenerate the whole PKI even if it is still valid')
  process.exit(0)
}
const pki = await ensurePki({ force, log: line => console.log(line) })
console.log(`keys: test PKI in ${pki.dir} (created ${pki.createdAt})`)
console.log(`  CA          ${pki.ca.subjectDn}`)
console.log(`  server      ${pki.server.subjectDn} (valid until ${pki.server.notAfter})`)
console.log(`  directory   iss "${pki.directory.issuer}", SSA signing kid ${pki.directory.signing.kid}`)
console.log(`  bank        org ${pki.aspsp.orgId}, signing kid ${pki.aspsp.signing.kid}`)
for (const t of Object.values(pki.tpps)) {
  console.log(
    `  tpp ${t.name.padEnd(8)} ${t.kind.padEnd(11)} org ${t.orgId} software ${t.softwareId} roles ${t.roles.join(',')} cert ${t.certificateProfile}`,
  )
}
const { cdr } = pki
console.log(`  CDR CA      ${cdr.ca.subjectDn}`)
console.log(`  CDR server  ${cdr.server.subjectDn} (valid until ${cdr.server.notAfter})`)
console.log(`  CDR register iss "${cdr.register.issuer}", SSA signing kid ${cdr.register.ssaSigning.kid}`)
for (const r of Object.values(cdr.recipients)) {
  console.log(
    `  recipient ${r.name.padEnd(11)} ${r.kind.padEnd(12)} brand ${r.brandId} product ${r.softwareProductId} "${r.softwareProductName}"`,
  )
}
