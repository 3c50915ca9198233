#!/usr/bin/env node
// `npm run collection [-- newman options]`: runs the Postman collection of the DCR and AIS journeys
// (collections/ob_mock_bank.postman_collection.json) with newman against the bank at $BANK
// (default https://localhost:8443), presenting TPP alpha's transport certificate (OB_TPP for
// another TPP of keys/generated) and trusting the test CA. The bank must be started with
// `npm start -- --signing-helper --auto-approve` (the collection's mock-only signing requests,
// the headless customer). Exit code: newman's.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const keys = process.env.OB_KEYS_DIR ?? path.join(root, 'keys', 'generated')
const tpp = process.env.OB_TPP ?? 'alpha'
const bank = (process.env.BANK ?? 'https://localhost:8443').replace(/\/+$/, '')
const args = [
  'run',
  path.join(root, 'collections', 'ob_mock_bank.postman_collection.json'),
  '--env-var',
  `baseUrl=${bank}`,
  '--env-var',
  `tpp=${tpp}`,
  '--env-var',
  `redirectUri=https://${tpp}.tpp.example/callback`,
  '--env-var',
  `redirectUri2=https://${tpp}.tpp.example/callback2`,
  '--ssl-client-cert',
  path.join(keys, 'tpps', tpp, 'transport.pem'),
  '--ssl-client-key',
  path.join(keys, 'tpps', tpp, 'transport.key'),
  '--ssl-extra-ca-certs',
  path.join(keys, 'ca', 'ca.pem'),
  ...process.argv.slice(2),
]
const newman = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'newman.cmd' : 'newman')
const child = spawn(newman, args, { stdio: 'inherit' })
child.on('close', code => process.exit(code ?? 1))
