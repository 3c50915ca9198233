/**
 * msw in the bank's own process: answers `https://keystore.openbankingtest.org.uk/...` from the
 * mock directory, so SSAs with real-looking `software_jwks_endpoint` URLs verify offline.
 * Other hosts pass through to the network.
 *
 * msw patches the process, not an instance: one interception serves every bank in the process
 * (they all read the same generated PKI), counted so that the last bank to close removes it.
 */
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { type Directory, KEYSTORE_HOST } from './directory.ts'

let active: { server: ReturnType<typeof setupServer>; users: number } | undefined

export function startKeystoreInterception(directory: Directory): () => void {
  if (!active) {
    const server = setupServer(
      http.get(`https://${KEYSTORE_HOST}/*`, ({ request }) => {
        const jwks = directory.jwksAtPath(new URL(request.url).pathname)
        return jwks ? HttpResponse.json(jwks) : HttpResponse.json({ error: 'not_found' }, { status: 404 })
      }),
    )
    server.listen({ onUnhandledRequest: 'bypass' })
    active = { server, users: 0 }
  }
  const interception = active
  interception.users++
  let stopped = false
  return () => {
    if (stopped) return
    stopped = true
    if (--interception.users === 0) {
      interception.server.close()
      if (active === interception) active = undefined
    }
  }
}
