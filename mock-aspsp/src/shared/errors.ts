/**
 * Protocol errors. One base class carries the HTTP status, the wire code and a description; each
 * subclass is named after its wire code. The error handler (`shared/error_handler.ts`) writes
 * them as `{ error, error_description }` with `Cache-Control: no-store`.
 *
 * Descriptions start with the protocol element they are about and quote its name, e.g.
 * `redirect_uris must be a subset of the software statement's software_redirect_uris`.
 */

export class OAuthError extends Error {
  /** Koa reads `expose` to decide whether the message may reach the client: ours always may. */
  readonly expose = true
  headers: Record<string, string> = {}

  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description)
  }
}

// RFC 7591 §3.2.2 registration errors
export class InvalidClientMetadata extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_client_metadata', description)
  }
}
export class InvalidRedirectUri extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_redirect_uri', description)
  }
}
export class InvalidSoftwareStatement extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_software_statement', description)
  }
}
export class UnapprovedSoftwareStatement extends OAuthError {
  constructor(description: string) {
    super(400, 'unapproved_software_statement', description)
  }
}

// RFC 6749 §5.2 token endpoint errors
export class InvalidRequest extends OAuthError {
  constructor(description: string, status = 400) {
    super(status, 'invalid_request', description)
  }
}
/**
 * RFC 6749 §5.2: 400, unless the client authenticated with the Authorization header: then 401
 * with a WWW-Authenticate challenge of the scheme it used (`challenge`).
 */
export class InvalidClient extends OAuthError {
  constructor(description: string, challenge?: string) {
    super(challenge ? 401 : 400, 'invalid_client', description)
    if (challenge) this.headers['WWW-Authenticate'] = `${challenge} realm="mock-aspsp"`
  }
}
export class InvalidGrant extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_grant', description)
  }
}
export class UnauthorizedClient extends OAuthError {
  constructor(description: string) {
    super(400, 'unauthorized_client', description)
  }
}
export class UnsupportedGrantType extends OAuthError {
  constructor(description: string) {
    super(400, 'unsupported_grant_type', description)
  }
}
export class InvalidScope extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_scope', description)
  }
}

// RFC 6749 §4.1.2.1, RFC 9101 §6.3, RFC 9126 §2.3 authorization request errors
export class InvalidRequestObject extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_request_object', description)
  }
}
export class InvalidRequestUri extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_request_uri', description)
  }
}
export class UnsupportedResponseType extends OAuthError {
  constructor(description: string) {
    super(400, 'unsupported_response_type', description)
  }
}
export class AccessDenied extends OAuthError {
  constructor(description: string) {
    super(403, 'access_denied', description)
  }
}

// RFC 6750 §3.1 bearer token errors
export class InvalidToken extends OAuthError {
  constructor(description: string, withErrorCode = true) {
    super(401, 'invalid_token', description)
    // With no credentials at all the challenge carries no error code (RFC 6750 §3.1).
    this.headers['WWW-Authenticate'] = withErrorCode
      ? `Bearer error="invalid_token", error_description="${quoteSafe(description)}"`
      : 'Bearer realm="mock-aspsp"'
  }
}
export class InsufficientScope extends OAuthError {
  constructor(description: string) {
    super(403, 'insufficient_scope', description)
    this.headers['WWW-Authenticate'] =
      `Bearer error="insufficient_scope", error_description="${quoteSafe(description)}"`
  }
}

/** A resource the token does not reach (OB Read/Write profile: 403 "a security policy was violated"). */
export class Forbidden extends OAuthError {
  constructor(description: string) {
    super(403, 'forbidden', description)
  }
}

/**
 * OB Read/Write API errors (`OBErrorResponse1`): the error handler writes these, and any other 4xx
 * or 5xx under /open-banking/ except 401 and 403, as `{ Code, Id, Message, Errors: [{ ErrorCode,
 * Message, Path }] }`.
 */
export class ObApiError extends OAuthError {
  constructor(
    status: number,
    /** `OBErrorResponseError1Code`, e.g. `UK.OBIE.Field.Invalid`. */
    readonly obCode: string,
    description: string,
    /** The JSON path of the field at fault, e.g. `Data.Permissions`. */
    readonly path?: string,
  ) {
    super(status, 'invalid_request', description)
  }
}

// HTTP-level errors, still answered as JSON
export class NotFound extends OAuthError {
  constructor(description: string) {
    super(404, 'not_found', description)
  }
}
export class MethodNotAllowed extends OAuthError {
  constructor(description: string, allow: string[]) {
    super(405, 'method_not_allowed', description)
    this.headers.Allow = allow.join(', ')
  }
}
export class PayloadTooLarge extends OAuthError {
  constructor(description: string) {
    super(413, 'invalid_request', description)
  }
}
export class UnsupportedMediaType extends OAuthError {
  constructor(description: string) {
    super(415, 'invalid_request', description)
  }
}
export class ServerError extends OAuthError {
  constructor(description = 'the server met an unexpected condition; nothing was changed') {
    super(500, 'server_error', description)
  }
}

/** Characters the descriptions use, in the printable ASCII RFC 6749 §5.2 allows. */
const ASCII_FOR: Record<string, string> = {
  '§': 'section ',
  '…': '...',
  '—': '-',
  '–': '-',
  '→': '->',
  '≤': '<=',
  '≥': '>=',
  '‘': "'",
  '’': "'",
  '“': "'",
  '”': "'",
}

/**
 * RFC 6749 §5.2: error_description uses %x20-21 / %x23-5B / %x5D-7E only. The characters our own
 * descriptions use are spelt in ASCII (`§ 5.2` → `section 5.2`); anything else becomes `?`.
 */
export function sanitizeDescription(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/"/g, "'")
    .replace(/\\/g, '/')
    .replace(/§\s*/g, ASCII_FOR['§'] as string)
    .replace(/[…—–→≤≥‘’“”]/g, c => ASCII_FOR[c] ?? '?')
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 500)
}

function quoteSafe(text: string): string {
  return sanitizeDescription(text).slice(0, 200)
}
