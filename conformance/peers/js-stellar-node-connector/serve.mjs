#!/usr/bin/env node
// @stellarbeat/js-stellar-node-connector as an acceptor that serves every connection, for
// `shakedown load --shim` (peer.mjs serves exactly one, as the shim contract's acceptor does).
//
//   node serve.mjs --role acceptor --listen HOST:PORT [--seed HEX32] [--network PASSPHRASE]
//                  [--timeout-ms N] [--max-open N]
//
// stdout: LISTENING <port>, then per connection HANDSHAKE_OK <peer-key-hex> or
// HANDSHAKE_FAILED <reason>. Bounded: it exits after --timeout-ms (default 60000) and closes at
// once any connection beyond --max-open (default 64) open at a time. Usage errors exit 2, flags it
// does not take exit 89 (conformance/SHIM.md).

import { createRequire } from 'node:module';
import net from 'node:net';

import { flowOptions } from './node_options.mjs';

const require = createRequire(import.meta.url);

function usage(msg, code = 2) {
  process.stderr.write(`serve: ${msg}\n`);
  process.exit(code);
}

const VALUE_FLAGS = new Set(['--role', '--listen', '--seed', '--network', '--timeout-ms', '--max-open']);
const args = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (!VALUE_FLAGS.has(a)) usage(`unimplemented: ${a}`, 89);
  if (i + 1 >= argv.length) usage(`flag ${a} needs a value`);
  args[a] = argv[++i];
}
if (args['--role'] !== undefined && args['--role'] !== 'acceptor') usage('only --role acceptor', 89);
const m = /^(?:\[([^\]]+)\]|([^:]+)):([0-9]+)$/.exec(args['--listen'] ?? '');
if (!m) usage('--listen HOST:PORT is required');
const host = m[1] ?? m[2];
if (!(host === 'localhost' || host === '::1' || (net.isIPv4(host) && host.startsWith('127.'))))
  usage(`--listen: ${host} is not a loopback address`);
const port = Number(m[3]);
function integer(name, fallback, min, max) {
  const s = args[name];
  if (s === undefined) return fallback;
  if (!/^[0-9]+$/.test(s) || Number(s) < min || Number(s) > max) usage(`${name}: an integer in [${min}, ${max}]`);
  return Number(s);
}
const timeoutMs = integer('--timeout-ms', 60000, 1, 3600000);
const maxOpen = integer('--max-open', 64, 1, 4096);
if (args['--seed'] !== undefined && !/^[0-9a-fA-F]{64}$/.test(args['--seed'])) usage('--seed: 64 hex characters');

const { createNode } = require('@stellarbeat/js-stellar-node-connector');
const { Keypair } = require('@stellar/stellar-base');
const silent = { child: () => silent };
for (const level of ['trace', 'debug', 'info', 'warn', 'error']) silent[level] = () => {};

const node = createNode({
  network: args['--network'] ?? 'Test SDF Network ; September 2015',
  nodeInfo: { ledgerVersion: 28, overlayVersion: 42, overlayMinVersion: 41,
    versionString: 'js-stellar-node-connector/7.0.1' },
  listeningPort: 11625,
  privateKey: args['--seed'] ? Keypair.fromRawEd25519Seed(Buffer.from(args['--seed'], 'hex')).secret() : undefined,
  ...flowOptions,
}, silent);

const out = (line) => process.stdout.write(line + '\n');
// The connector throws out of its socket handlers on some malformed input (README.md): one
// connection's failure, not the server's.
process.on('uncaughtException', (e) => out(`HANDSHAKE_FAILED connector exception: ${e && e.message ? e.message : e}`));
setTimeout(() => process.exit(0), timeoutMs);

let open = 0;
node.on('listening', () => out(`LISTENING ${node.server.address().port}`));
node.on('error', (e) => { out(`HANDSHAKE_FAILED listen error: ${e && e.message ? e.message : e}`); process.exit(1); });
node.on('connection', (conn) => {
  if (open >= maxOpen) {
    conn.destroy();
    return;
  }
  open++;
  let ok = false;
  let error;
  conn.on('connect', () => {
    if (ok) return;
    ok = true;
    out(`HANDSHAKE_OK ${Buffer.from(conn.remotePublicKeyRaw ?? []).toString('hex')}`);
  });
  conn.on('data', (job) => job.done());
  conn.on('error', (e) => { error = e && e.message ? e.message : String(e); });
  conn.on('timeout', () => conn.destroy());
  conn.on('close', () => {
    open--;
    if (!ok) out(`HANDSHAKE_FAILED ${error ?? 'closed before the handshake completed'}`);
  });
});
node.acceptIncomingConnections(port, host);
