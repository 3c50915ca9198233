#!/usr/bin/env node
// `npx ob-mock-bank`: sizes libuv's thread pool (see scripts/start.cjs), then runs
// bin/ob_mock_bank.mjs, where everything else is.
process.env.UV_THREADPOOL_SIZE ??= String(require('node:os').availableParallelism())
import('./ob_mock_bank.mjs')
