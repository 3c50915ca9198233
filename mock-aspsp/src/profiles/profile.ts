/**
 * A DCR profile of the bank: one module that lists everything the profile decides — its rules,
 * its option defaults, its discovery document, its error shapes, its directory (the OB Directory
 * or the CDR Register), its named deviations and the routes it serves. The bank runs one profile
 * (`--profile uk-ob`, the default, or `--profile au-cdr`); the shared code (listener, error handler,
 * store, JOSE, token issuing) calls the profile's members and never asks which profile it is in.
 */
import type Router from '@koa/router'
import type { Pki } from '../../../keys/pki.ts'
import type { Bank } from '../config/bank.ts'
import type { MockOptions } from '../config/defaults.ts'
import type { CertOwner } from '../shared/cert_owner.ts'
import type { ClientCert } from '../shared/mtls.ts'
import type { CdrDeviationName } from './au_cdr/deviations.ts'
import type { DeviationName } from './uk_ob/deviations/index.ts'

export const PROFILE_NAMES = ['uk-ob', 'au-cdr'] as const
export type ProfileName = (typeof PROFILE_NAMES)[number]

/** Every deviation name of every profile: what `bank.deviations.has()` may be asked. */
export type KnownDeviationName = DeviationName | CdrDeviationName

/**
 * A named deviation as a profile lists it: the rule it breaks, its clause, the tests that must
 * catch it and the references of the checks they must fail at; an anti-bank's `passesNone`. Each
 * profile's registry narrows `area` to its own (`uk_ob/deviations/`, `au_cdr/deviations.ts`).
 */
export interface ProfileDeviation {
  /** The area of the rule, for the report: one of the profile's own (each profile narrows it). */
  area: string
  /** The rule the deviation breaks, in one sentence. */
  breaks: string
  /** The spec clause of that rule. */
  clause: string
  /** Catalogue / scenario ids of the tests that must catch it (none for an anti-bank). */
  caughtBy: readonly string[]
  /**
   * The references of the broken rule as the suite's checks name them in their titles
   * (`... [RFC7591-3.2.2]`), or catalogue ids: a failing check counts as a catch only when its
   * title names one of these.
   */
  refs: readonly string[]
  /**
   * What the mock needs for the rule to apply at all: a spec version (the self-test's banks speak
   * 3.3), management operations switched off. The self-test starts the deviant bank, and a
   * conformant reference beside it, with them.
   */
  needs?: { spec?: '3.1' | '3.2' | '3.3' | '3.4'; disable?: readonly ('get' | 'put' | 'delete')[] }
  /**
   * Anti-banks only: the tests that must not pass against it, by area (the id prefix of the
   * title, `NEG-TOK`; for an AU test the one its tags name, `AU-TOK`: scripts/sensitivity.ts
   * AU_AREAS), tag (`@negative`), or both (`NEG-TLS @token`); `*` is every test (the dead banks).
   * The self-test runs only these.
   */
  passesNone?: readonly string[]
  /**
   * Anti-banks only: the requests it refuses, as reports name them (`POST /token`), and the tests of
   * `passesNone` whose verdict does not rest on them (by id, or by area or tag as `passesNone`
   * names them), each with the reason. Such a test may pass, and only when it sent none of those
   * requests (the self-test reads the exchanges it recorded).
   */
  refuses?: readonly string[]
  mayPass?: Readonly<Record<string, string>>
}

/** A server certificate, its key and the file it came from. */
export interface ServerIdentity {
  cert: Buffer
  key: Buffer
  certPath: string
}

/** The certificate the listener presents and the CAs whose client certificates it trusts. */
export interface ListenerTls {
  /** The server certificate and key covering `names` (when the operator gives none with --server-cert). */
  serverCertificate(names: readonly string[]): Promise<ServerIdentity>
  caPaths: string[]
  /** The CA that issued the profile's own server certificate (what a client should trust). */
  serverCaPath: string
  /** The CRL of the trust anchors (left out when extra CAs are trusted: OpenSSL would want one for each). */
  crlPath?: string
}

/** One error shape of the profile: where it is used and the clause that defines it. */
export interface ErrorShape {
  where: string
  shape: string
  spec: string
}

/** What a profile-specific resolver needs of the bank to answer a JWKS URL in-process. */
export type LocalJwksContext = Pick<Bank, 'pki' | 'directory' | 'endpoints' | 'options'>

export interface BankProfile {
  readonly name: ProfileName
  /** One line for banners and reports: `UK Open Banking DCR 3.3`. */
  title(options: MockOptions): string
  /** Option values this profile sets differently from `DEFAULTS` (config/defaults.ts). */
  readonly defaults: Partial<MockOptions>
  /** The profile's named deviations; `--deviation` accepts only these. */
  readonly deviations: Readonly<Record<string, ProfileDeviation>>
  /** The profile's rule modules, by area (each exports one named function per rule). */
  readonly rules: Readonly<Record<string, object>>
  readonly errorShapes: readonly ErrorShape[]
  /** The directory the profile trusts for software statements, and where the bank serves its mock. */
  readonly directory: { name: string; paths: readonly string[] }
  listenerTls(pki: Pki, options: MockOptions): ListenerTls
  /** The CRLs the bank checks client certificates against on every request. */
  crlPaths(pki: Pki): string[]
  /** Hosts the bank fetches client JWKS from (besides `--jwks-host`); none means in-process answers only. */
  readonly jwksHosts: readonly string[]
  /** The JWKS at `url` when the bank answers it in-process, null when it should and cannot, else undefined. */
  localJwks(bank: LocalJwksContext, url: string): unknown
  discovery(bank: Bank): Record<string, unknown>
  /**
   * Why a trusted client certificate may not act for a client (its registration) or a software
   * statement's software, undefined when it may (`shared/cert_owner.ts`). Absent: the OB rule
   * (OBTransport / OBWAC, `pki/cert_profiles.ts`).
   */
  certificateProblem?(cert: ClientCert, owner: CertOwner): string | undefined
  /** Installs the profile's endpoints. */
  routes(router: Router, bank: Bank): void
  /** Starts what the profile needs beside the listener; returns its stop function. */
  start(bank: Bank): () => void
  /** Lines printed by `npm start` after the bank listens. */
  banner(bank: Bank): string[]
}
