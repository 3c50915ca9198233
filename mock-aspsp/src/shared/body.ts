/**
 * Request bodies, read by our own few lines rather than a body-parser: every endpoint needs the
 * raw text whatever the media type claims (a JWS is verified over its exact bytes), one size
 * limit applies to all of them, and a form must not repeat a parameter (RFC 6749 §3.2).
 */
import type { Context } from 'koa'
import { InvalidRequest, PayloadTooLarge } from './errors.ts'

const decoder = new TextDecoder('utf-8', { fatal: true })
/**
 * An over-limit body is still read (and thrown away) up to this many times the limit before the
 * 413 goes out: closing on a client that is still sending resets the connection, and the client
 * never reads the answer (RFC 9112 §9.6). Beyond it the connection is cut.
 */
const DRAIN_FACTOR = 16

/**
 * Reads and throws away a request body that will not be used, at most `DRAIN_FACTOR × limit`
 * bytes, then calls `answer` (the same reason as above: an answer sent while the client is still
 * sending would be lost in the reset). Beyond the bound the answer goes out and the connection is cut.
 */
export function drainThen(req: NodeJS.ReadableStream, limit: number, answer: () => void): void {
  let size = 0
  let done = false
  const finish = () => {
    if (done) return
    done = true
    answer()
  }
  req.on('data', (chunk: Buffer) => {
    size += chunk.length
    if (size > limit * DRAIN_FACTOR) {
      req.pause()
      finish()
    }
  })
  req.once('end', finish)
  req.once('error', finish)
  req.resume()
}

/** The media type of the request, lower case, without parameters ('' when absent). */
export function mediaType(ctx: Context): string {
  return (ctx.get('content-type').split(';')[0] ?? '').trim().toLowerCase()
}

/** Reads the whole body as UTF-8 text, at most `limit` bytes; 413 beyond that. Cached on the context. */
export async function readBody(ctx: Context, limit: number): Promise<string> {
  if (typeof ctx.state.rawBody === 'string') return ctx.state.rawBody
  const declared = Number(ctx.get('content-length') || Number.NaN)
  if (declared > limit * DRAIN_FACTOR) {
    ctx.set('Connection', 'close')
    throw new PayloadTooLarge(`the request body of ${declared} bytes exceeds the limit of ${limit} bytes (--max-body)`)
  }
  const req = ctx.req
  // Usually the whole body came with the headers: Node has read it all (`complete`) and holds it;
  // take it in one call instead of iterating the stream.
  if (req.complete && req.readableLength <= limit && !req.readableFlowing) {
    const whole = req.read() as Buffer | null
    return decodeBody(ctx, whole ?? Buffer.alloc(0))
  }
  const chunks: Buffer[] = []
  let size = 0
  let overflow = false
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > limit) {
        overflow = true
        if (size > limit * DRAIN_FACTOR) break
        continue
      }
      chunks.push(chunk)
    }
  } catch {
    // The client went away mid-body ('aborted'): its fault, not the bank's, and nobody reads the answer.
    throw new InvalidRequest(`the request body was cut off after ${size} bytes: the client closed the connection`)
  }
  if (overflow) {
    ctx.set('Connection', 'close')
    throw new PayloadTooLarge(`the request body exceeds the limit of ${limit} bytes (--max-body)`)
  }
  return decodeBody(ctx, Buffer.concat(chunks))
}

/** The body as UTF-8 text (invalid UTF-8 is the client's error), cached on the context. */
function decodeBody(ctx: Context, bytes: Buffer): string {
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    throw new InvalidRequest('the request body is not valid UTF-8')
  }
  ctx.state.rawBody = text
  return text
}

/**
 * Parses an `application/x-www-form-urlencoded` body (RFC 6749 §3.2 requires it at the token
 * endpoint). Repeated parameters are an error (RFC 6749 §3.1).
 */
export async function readForm(ctx: Context, limit: number, endpoint: string): Promise<Record<string, string>> {
  const type = mediaType(ctx)
  const anyType = endpoint === 'token' && ctx.bank.deviations.has('token-ignores-content-type')
  if (type !== 'application/x-www-form-urlencoded' && !anyType) {
    throw new InvalidRequest(
      `the ${endpoint} request must be application/x-www-form-urlencoded, got "${type || 'no Content-Type'}"`,
    )
  }
  const text = await readBody(ctx, limit)
  const params: Record<string, string> = Object.create(null)
  for (const [k, v] of new URLSearchParams(text)) {
    if (k in params) throw new InvalidRequest(`parameter ${k} is repeated; each parameter may appear once`)
    params[k] = v
  }
  return params
}
