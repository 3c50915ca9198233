/**
 * The transport floor: a bare node:https server with the same mutual-TLS settings as both servers,
 * answering every request with a small JSON body and doing nothing else. What the load generator
 * reaches against it is the most any Node.js server on this machine can do with this client: the
 * ceiling for the cheap scenarios (tls_client_auth tokens, GET /register/:id).
 *
 * Usage: `node --import tsx bench/floor.ts --port 8830`; prints `floor ready` once listening.
 */
import https from 'node:https'
import { ensurePki } from '../keys/pki.ts'
import { parseArgs, serverTls } from './common.ts'

const args = parseArgs(process.argv.slice(2))
const port = Number(args.get('port') ?? 8830)
const pki = await ensurePki()
const body = JSON.stringify({ access_token: 'x'.repeat(43), token_type: 'Bearer', expires_in: 3600, scope: 'accounts' })
const server = https.createServer(serverTls(pki), (req, res) => {
  // Read the request body like a real endpoint would, then answer.
  req.resume()
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    res.end(body)
  })
})
server.listen(port, '127.0.0.1', () => console.log(`floor ready https://127.0.0.1:${port}`))
const stop = () => server.close(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
