#!/usr/bin/env node
// `npm start [-- options]`: the mock bank. scripts/start.mjs compiles and runs it; this entry only
// sizes libuv's thread pool first, and has to be CommonJS to do so.
//
// The pool signs the bank's PS256 JWTs (node:crypto's asynchronous sign). Its default of 4
// threads is more than the cores of a small machine, and then signing threads preempt the event
// loop that parses, checks and answers every request. One thread per core, unless
// UV_THREADPOOL_SIZE is set: measured on 2 cores at 16 connections (tls_client_auth JWT tokens,
// 6 alternating rounds each), 1.06x [1.04-1.08] the requests per second of 4 threads, at the
// same server CPU per request. The pool reads the variable once, when it starts, and Node starts
// it to read an ES module entry before the module's first line runs: a CommonJS entry runs first.
process.env.UV_THREADPOOL_SIZE ??= String(require('node:os').availableParallelism())
import('./start.mjs').then(m => m.main(process.argv.slice(2)))
