/**
 * Certificate revocation lists the bank consults on every request, not only at the handshake: a
 * kept-alive or resumed TLS connection outlives the moment its certificate is revoked (RFC 5280
 * §6.3; FAPI 1 Advanced §8.5). Each CRL file is read again when it changes (its modification time,
 * looked at most once a second), so revoking a certificate is writing a new CRL: no restart.
 */
import 'reflect-metadata'
import { readFileSync, statSync } from 'node:fs'
import * as x509 from '@peculiar/x509'
import { dnKey, rdnsFromCertificateName } from '../pki/dn.ts'

/** Serial numbers as compared: lower-case hex without leading zeros. */
export const normalSerial = (hex: string) => hex.toLowerCase().replace(/^0+(?=.)/, '')

interface CrlFile {
  path: string
  mtimeMs: number
  /** Issuer DN key → revoked serials. */
  revoked: Map<string, Set<string>>
}

export class RevocationLists {
  private readonly files: CrlFile[]
  private checkedAt = 0

  constructor(
    paths: readonly string[],
    /** How often the files' modification times are looked at, in milliseconds. */
    private readonly recheckMs = 1000,
  ) {
    this.files = paths.map(path => ({ path, mtimeMs: -1, revoked: new Map() }))
    this.refresh(true)
  }

  /** Whether a certificate of this issuer (its DN key) and serial is on a current CRL. */
  isRevoked(issuerKey: string, serial: string): boolean {
    this.refresh(false)
    const s = normalSerial(serial)
    return this.files.some(f => f.revoked.get(issuerKey)?.has(s) === true)
  }

  private refresh(force: boolean): void {
    const now = Date.now()
    if (!force && now - this.checkedAt < this.recheckMs) return
    this.checkedAt = now
    for (const f of this.files) {
      let mtimeMs: number
      try {
        mtimeMs = statSync(f.path).mtimeMs
      } catch {
        continue
      }
      if (mtimeMs === f.mtimeMs) continue
      try {
        f.revoked = parseCrl(readFileSync(f.path, 'utf8'))
        f.mtimeMs = mtimeMs
      } catch (e) {
        // A CRL caught half-written is read again on the next look; the last good one stays in force.
        console.error(`mock-aspsp: the CRL ${f.path} could not be read (${(e as Error).message}); keeping the last one`)
      }
    }
  }
}

/** The revoked serials of a PEM CRL, by issuer. */
export function parseCrl(pem: string): Map<string, Set<string>> {
  const crl = new x509.X509Crl(pem)
  const issuer = dnKey(rdnsFromCertificateName(crl.issuerName.toJSON()))
  return new Map([[issuer, new Set(crl.entries.map(e => normalSerial(e.serialNumber)))]])
}
