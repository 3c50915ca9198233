/**
 * Distinguished names: parse RFC 4514 strings and certificate subjects into one normalised form,
 * so that `tls_client_auth_subject_dn` can be compared with the presented certificate
 * (RFC 8705 §2.1.2: "the expected subject distinguished name of the certificate").
 *
 * Normalisation (RFC 4517 distinguishedNameMatch, made lenient where TPPs differ in practice):
 * attribute types by short name (OIDs and long names mapped), values unescaped (RFC 4514 §2.4:
 * `\XX` pairs are UTF-8 octets; a `#` value is the hex of a BER-encoded string, decoded), trimmed,
 * inner whitespace collapsed and compared case-insensitively (caseIgnoreMatch). RDN order is
 * ignored: TPPs write the same DN most-significant-first (OpenSSL's default) or last (RFC 4514).
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
  '2.5.4.4': 'SN',
  SURNAME: 'SN',
  '2.5.4.42': 'GN',
  GIVENNAME: 'GN',
  '2.5.4.12': 'TITLE',
  '2.5.4.15': 'BUSINESSCATEGORY',
  '2.5.4.17': 'POSTALCODE',
  '2.5.4.46': 'DNQUALIFIER',
  '2.5.4.65': 'PSEUDONYM',
  '2.5.4.97': 'ORGANIZATIONIDENTIFIER',
  ORGID: 'ORGANIZATIONIDENTIFIER',
  // eIDAS / EV certificates (OBWAC): jurisdiction of incorporation.
  '1.3.6.1.4.1.311.60.2.1.3': 'JURISDICTIONC',
  JURISDICTIONCOUNTRYNAME: 'JURISDICTIONC',
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

const UTF8 = new TextDecoder('utf-8', { fatal: true })

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
      // RFC 4514 §2.4: the hex of the BER encoding of the value
      let hex = ''
      i++
      while (i < n && dn[i] !== ',' && dn[i] !== '+') hex += dn[i++]
      value = decodeBerString(hex.trim(), type)
    } else {
      // RFC 4514 §2.4: `\XX` pairs are octets of the UTF-8 encoding; collected, then decoded together.
      const octets: number[] = []
      const flush = () => {
        if (octets.length === 0) return
        try {
          value += UTF8.decode(Buffer.from(octets))
        } catch {
          throw new DnSyntaxError(`attribute ${type} has escaped octets that are not UTF-8`)
        }
        octets.length = 0
      }
      while (i < n && dn[i] !== ',' && dn[i] !== '+') {
        const c = dn[i] as string
        if (c === '\\') {
          const next = dn.slice(i + 1, i + 3)
          if (/^[0-9a-fA-F]{2}$/.test(next)) {
            octets.push(Number.parseInt(next, 16))
            i += 3
          } else if (i + 1 < n) {
            flush()
            value += dn[i + 1]
            i += 2
          } else {
            throw new DnSyntaxError(`"${dn}" ends with a lone backslash`)
          }
        } else {
          flush()
          value += c
          i++
        }
      }
      flush()
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

/** Comparison keys of DN strings already parsed (registered DNs are compared on every token request). */
const keysOfStrings = new Map<string, string | null>()
const KEYS_OF_STRINGS_LIMIT = 1000

/**
 * The comparison key (`dnKey`) of an RFC 4514 string, or null when it cannot be read (whatever
 * the parser threw); remembered for the last thousand strings, so a client's registered DN is
 * parsed once, not on every token request.
 */
export function dnKeyOfString(dn: string): string | null {
  let key = keysOfStrings.get(dn)
  if (key === undefined) {
    try {
      key = dnKey(parseDn(dn))
    } catch {
      key = null
    }
    if (keysOfStrings.size >= KEYS_OF_STRINGS_LIMIT) {
      const oldest = keysOfStrings.keys().next().value
      if (oldest !== undefined) keysOfStrings.delete(oldest)
    }
    keysOfStrings.set(dn, key)
  }
  return key
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
      values.map(written => {
        // A value the parser could not read as a string comes as `#<hex of its BER encoding>`.
        const v = /^#([0-9a-fA-F]{2})+$/.test(written) ? berStringOrSelf(written.slice(1), type, written) : written
        return { type: normalizeType(type), value: normalizeValue(v), raw: v.trim() }
      }),
    ),
  )
}

function berStringOrSelf(hex: string, type: string, written: string): string {
  try {
    return decodeBerString(hex, type)
  } catch {
    return written
  }
}

/** The string ASN.1 types a directory string may use (X.520 DirectoryString, RFC 5280 §4.1.2.4). */
const BER_STRING_TAGS: Record<number, (bytes: Buffer) => string> = {
  12: b => UTF8.decode(b), // UTF8String
  18: b => b.toString('latin1'), // NumericString
  19: b => b.toString('latin1'), // PrintableString
  20: b => b.toString('latin1'), // TeletexString (T.61; Latin-1 as every library reads it)
  22: b => b.toString('latin1'), // IA5String
  26: b => b.toString('latin1'), // VisibleString
  30: b => Buffer.from(b).swap16().toString('utf16le'), // BMPString (UCS-2, big-endian)
  28: b => String.fromCodePoint(...Array.from({ length: b.length / 4 }, (_, k) => b.readUInt32BE(4 * k))), // UniversalString
}

/**
 * RFC 4514 §2.4 `#hexstring`: the BER encoding of an attribute value; only string types can be
 * compared as text, anything else is refused rather than compared as hex (it would never match).
 */
export function decodeBerString(hex: string, type: string): string {
  if (!/^([0-9a-fA-F]{2})+$/.test(hex)) {
    throw new DnSyntaxError(`attribute ${type} has a "#" value that is not an even number of hex digits`)
  }
  const der = Buffer.from(hex, 'hex')
  const tag = der[0] as number
  const decode = BER_STRING_TAGS[tag]
  if (!decode) {
    throw new DnSyntaxError(
      `attribute ${type} has a "#" value of ASN.1 tag 0x${tag.toString(16).padStart(2, '0')}, not a string type (UTF8String, PrintableString, IA5String, ...)`,
    )
  }
  let length = der[1]
  let offset = 2
  if (length === undefined) throw new DnSyntaxError(`attribute ${type} has a "#" value without a length`)
  if (length > 0x80 && length <= 0x84) {
    const octets = length - 0x80
    length = 0
    for (let k = 0; k < octets; k++) length = length * 256 + (der[2 + k] ?? 0)
    offset = 2 + octets
  } else if (length >= 0x80) {
    throw new DnSyntaxError(`attribute ${type} has a "#" value with an unsupported BER length form`)
  }
  if (offset + length !== der.length) {
    throw new DnSyntaxError(`attribute ${type} has a "#" value whose BER length (${length}) is not its size`)
  }
  const bytes = der.subarray(offset)
  if ((tag === 0x1e && length % 2 !== 0) || (tag === 0x1c && length % 4 !== 0)) {
    throw new DnSyntaxError(`attribute ${type} has a "#" value that is not whole characters`)
  }
  try {
    return decode(bytes)
  } catch {
    throw new DnSyntaxError(`attribute ${type} has a "#" UTF8String value that is not UTF-8`)
  }
}
