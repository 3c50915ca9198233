/**
 * Distinguished names: parse RFC 4514 strings and certificate subjects into one normalised form,
 * so that `tls_client_auth_subject_dn` can be compared with the presented certificate
 * (RFC 8705 §2.1.2: "the expected subject distinguished name of the certificate").
 *
 * Normalisation (RFC 4517 distinguishedNameMatch, made lenient where TPPs differ in practice):
 * attribute types by short name (OIDs and long names mapped), values unescaped, trimmed, inner
 * whitespace collapsed and compared case-insensitively (caseIgnoreMatch). RDN order is ignored:
 * TPPs write the same DN most-significant-first (OpenSSL's default) or last (RFC 4514).
 */

const TYPE_ALIASES: Record<string, string> = {
  '2.5.4.3': 'CN',
  COMMONNAME: 'CN',
  '2.5.4.6': 'C',
  COUNTRYNAME: 'C',
  '2.5.4.7': 'L',
  LOCALITYNAME: 'L',
  '2.5.4.8': 'ST',
  STATEORPROVINCENAME: 'ST',
  S: 'ST',
  '2.5.4.9': 'STREET',
  STREETADDRESS: 'STREET',
  '2.5.4.10': 'O',
  ORGANIZATIONNAME: 'O',
  '2.5.4.11': 'OU',
  ORGANIZATIONALUNITNAME: 'OU',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.97': 'ORGANIZATIONIDENTIFIER',
  ORGID: 'ORGANIZATIONIDENTIFIER',
  '0.9.2342.19200300.100.1.1': 'UID',
  USERID: 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  DOMAINCOMPONENT: 'DC',
  '1.2.840.113549.1.9.1': 'EMAILADDRESS',
  E: 'EMAILADDRESS',
  EMAIL: 'EMAILADDRESS',
}

export interface Ava {
  type: string
  /** Normalised value, for comparison. */
  value: string
  /** The value as written (unescaped, trimmed). */
  raw: string
}

/** One RDN is a set of attribute-value assertions (usually one). */
export type Rdn = Ava[]

export class DnSyntaxError extends Error {}

export function normalizeType(type: string): string {
  const t = type
    .trim()
    .replace(/^oid\./i, '')
    .toUpperCase()
  return TYPE_ALIASES[t] ?? t
}

export function normalizeValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase()
}

/**
 * Parses an RFC 4514 string (`CN=abc,OU=0015800001HQQrZAAX,O=OpenBanking,C=GB`). Accepts
 * `, ` separators and escaped specials (`\,`, `\+`, `\"`, `\\`, `\2C`); rejects anything that is
 * not `type=value` pairs.
 */
export function parseDn(dn: string): Rdn[] {
  if (typeof dn !== 'string' || dn.trim() === '') throw new DnSyntaxError('the DN is empty')
  const rdns: Rdn[] = []
  let rdn: Rdn = []
  let i = 0
  const n = dn.length
  while (i < n) {
    // attribute type
    while (i < n && dn[i] === ' ') i++
    let type = ''
    while (i < n && dn[i] !== '=') {
      if (dn[i] === ',' || dn[i] === '+')
        throw new DnSyntaxError(`"${dn.slice(0, i + 1)}" has an attribute without "="`)
      type += dn[i]
      i++
    }
    if (i >= n) throw new DnSyntaxError(`"${dn}" ends inside an attribute type`)
    type = type.trim()
    if (!/^([A-Za-z][A-Za-z0-9-]*|(oid\.)?\d+(\.\d+)*)$/i.test(type)) {
      throw new DnSyntaxError(`"${type}" is not an attribute type`)
    }
    i++ // '='
    // attribute value
    let value = ''
    if (dn[i] === '#') {
      // hex-encoded BER value: keep as is, compared literally
      while (i < n && dn[i] !== ',' && dn[i] !== '+') value += dn[i++]
    } else {
      while (i < n && dn[i] !== ',' && dn[i] !== '+') {
        const c = dn[i] as string
        if (c === '\\') {
          const next = dn.slice(i + 1, i + 3)
          if (/^[0-9a-fA-F]{2}$/.test(next)) {
            value += String.fromCharCode(Number.parseInt(next, 16))
            i += 3
          } else if (i + 1 < n) {
            value += dn[i + 1]
            i += 2
          } else {
            throw new DnSyntaxError(`"${dn}" ends with a lone backslash`)
          }
        } else {
          value += c
          i++
        }
      }
    }
    if (value.trim() === '') throw new DnSyntaxError(`attribute ${type} has an empty value`)
    rdn.push({ type: normalizeType(type), value: normalizeValue(value), raw: value.trim() })
    const sep = dn[i]
    i++
    if (sep !== '+') {
      rdns.push(rdn)
      rdn = []
    }
  }
  if (rdn.length) rdns.push(rdn)
  return rdns
}

/** The order-insensitive comparison key of a DN: sorted `TYPE=value` assertions. */
export function dnKey(rdns: Rdn[]): string {
  return rdns
    .flat()
    .map(a => `${a.type}=${a.value}`)
    .sort()
    .join('\u0000')
}

/** True when two DNs name the same subject after normalisation. */
export function sameDn(a: Rdn[], b: Rdn[]): boolean {
  return dnKey(a) === dnKey(b)
}

/** The first value of an attribute (by normalised type), as written. */
export function dnAttribute(rdns: Rdn[], type: string): string | undefined {
  const t = normalizeType(type)
  return rdns.flat().find(a => a.type === t)?.raw
}

/** Builds the normalised form from a certificate subject given as ordered RDNs of type → values. */
export function rdnsFromCertificateName(name: Array<Record<string, string[]>>): Rdn[] {
  return name.map(rdn =>
    Object.entries(rdn).flatMap(([type, values]) =>
      values.map(v => ({ type: normalizeType(type), value: normalizeValue(v), raw: v.trim() })),
    ),
  )
}
