/**
 * Which client certificate may act for a registered data recipient (CDS 1.36 "Certificate
 * Management", CSR profile for client certificates: CN = the software product name, O = the brand
 * name; "Transport Security", holder of key). The software statement carries both names
 * (`client_name`, `org_name`) and the registration keeps them: a certificate of another software
 * product or brand, however trusted, does not authenticate, take tokens for or manage the client.
 *
 * Registration itself (POST /register) is proven by the product's signature over the request and
 * the Register's over its SSA; the certificate presented then need only be a trusted CDR one.
 */
import { dnAttribute } from '../../../pki/dn.ts'
import type { CertOwner } from '../../../shared/cert_owner.ts'
import type { ClientCert } from '../../../shared/mtls.ts'

/** Why `cert` is not the client certificate of `owner`'s software product (and brand); undefined when it is. */
export function recipientCertificateProblem(cert: ClientCert, owner: CertOwner): string | undefined {
  const product = owner.registration?.client_name
  const brand = owner.registration?.org_name
  const o = dnAttribute(cert.subject, 'O')
  const show = (v: unknown) => JSON.stringify(v ?? null)
  if (typeof product === 'string' && cert.cn === product && (typeof brand !== 'string' || o === brand)) {
    return undefined
  }
  return `the client certificate (CN=${show(cert.cn)}, O=${show(o)}) is not one of software product ${show(product)} of brand ${show(brand)}: a CDR client certificate carries the software product name as CN and the brand name as O (CDS Certificate Management)`
}
