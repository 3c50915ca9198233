/** RFC 4514 DN parsing and the comparison used by tls_client_auth (RFC 8705 §2.1.2). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DnSyntaxError, dnAttribute, parseDn, sameDn } from '../src/pki/dn.ts'

const dn = 'CN=lQBMmFoZyTpCXA1K0XFZg4,OU=0015800001eOCDxEm1,O=OpenBanking,C=GB'

describe('parseDn and sameDn', () => {
  it('equal after normalising order, spacing, case and OID or long attribute names', () => {
    for (const other of [
      'C=GB, O=OpenBanking, OU=0015800001eOCDxEm1, CN=lQBMmFoZyTpCXA1K0XFZg4',
      'cn=lqbmmfozytpcxa1k0xfzg4,ou=0015800001eocdxem1,o=openbanking,c=gb',
      '2.5.4.3=lQBMmFoZyTpCXA1K0XFZg4,2.5.4.11=0015800001eOCDxEm1,2.5.4.10=OpenBanking,2.5.4.6=GB',
      'commonName=lQBMmFoZyTpCXA1K0XFZg4, organizationalUnitName=0015800001eOCDxEm1, O=Open  Banking , C=GB'.replace(
        'Open  Banking',
        'OpenBanking',
      ),
    ]) {
      assert.ok(sameDn(parseDn(dn), parseDn(other)), other)
    }
  })
  it('differs when one attribute changes, or one is added or missing', () => {
    assert.equal(sameDn(parseDn(dn), parseDn(dn.replace('C=GB', 'C=IE'))), false)
    assert.equal(sameDn(parseDn(dn), parseDn(`${dn},L=London`)), false)
    assert.equal(sameDn(parseDn(dn), parseDn(dn.replace(',O=OpenBanking', ''))), false)
  })
  it('unescapes \\, \\+ and hex pairs, and keeps multi-valued RDNs', () => {
    const rdns = parseDn('CN=Smith\\, John+UID=js,O=Acme\\2C Inc,C=GB')
    assert.equal(rdns.length, 3)
    assert.equal(rdns[0]?.length, 2)
    assert.equal(dnAttribute(rdns, 'CN'), 'Smith, John')
    assert.equal(dnAttribute(rdns, 'O'), 'Acme, Inc')
  })
  it('rejects what is not a DN', () => {
    for (const bad of ['', 'not a dn', 'CN=', '=x', 'CN=a,,O=b', 'CN=a\\']) {
      assert.throws(() => parseDn(bad), DnSyntaxError, bad)
    }
  })
})

describe('RFC 4514 hex values and UTF-8 escapes (security review item 13)', () => {
  const hexOf = (tag: number, text: string, encoding: BufferEncoding = 'utf8') => {
    const bytes = Buffer.from(text, encoding)
    return `#${tag.toString(16).padStart(2, '0')}${bytes.length.toString(16).padStart(2, '0')}${bytes.toString('hex')}`
  }
  it('decodes # values of the string types and compares them as text', () => {
    const cn = 'lQBMmFoZyTpCXA1K0XFZg4'
    for (const value of [
      hexOf(0x13, cn),
      hexOf(0x0c, cn),
      hexOf(0x16, cn),
      `#1e${(cn.length * 2).toString(16)}${Buffer.from(cn, 'utf16le').swap16().toString('hex')}`,
    ]) {
      assert.ok(sameDn(parseDn(dn), parseDn(`CN=${value},OU=0015800001eOCDxEm1,O=OpenBanking,C=GB`)), value)
    }
  })
  it('refuses a # value that is not a string type, not hex, or whose length lies', () => {
    for (const bad of ['CN=#020101', 'CN=#13zz', 'CN=#1305616263', 'CN=#']) {
      assert.throws(() => parseDn(bad), DnSyntaxError, bad)
    }
  })
  it('reads \\XX escapes as UTF-8 octets and maps OID types such as 2.5.4.97', () => {
    assert.equal(dnAttribute(parseDn('CN=Caf\\C3\\A9'), 'CN'), 'Café')
    assert.throws(() => parseDn('CN=Caf\\E9'), DnSyntaxError)
    const oid = parseDn('2.5.4.97=PSDGB-OB-0015800001eOCDxEm1,CN=x')
    assert.ok(sameDn(oid, parseDn('organizationIdentifier=PSDGB-OB-0015800001eOCDxEm1,CN=x')))
  })
})
