#!/usr/bin/env node
// Command-line Stellar overlay peer built on @stellarbeat/js-stellar-node-connector.
//
// Contract (stdout, one line each, nothing else is written to stdout):
//   LISTENING <port>             acceptor only, once the server socket listens
//   HANDSHAKE_OK <peer-key-hex>  the connector emitted 'connect' after a HELLO
//   HANDSHAKE_FAILED <reason>    error/close/timeout before 'connect'      -> exit 1
//   CLOSED <reason>              after HANDSHAKE_OK, when the session ends -> exit 0
//   CRASHED <message>            the connector threw out of its socket handler (a plain
//                                consumer would have died); once, before or after the above
// Usage errors exit 2. Diagnostics go to stderr. See README.md.

import { createRequire } from 'node:module';
import net from 'node:net';

import { flowOptions } from './node_options.mjs';

const require = createRequire(import.meta.url);

const USAGE = `usage:
  node peer.mjs --role initiator --connect HOST:PORT [options]
  node peer.mjs --role acceptor  --listen  HOST:PORT [options]   (PORT 0 = ephemeral)
options:
  --seed HEX32               ed25519 node seed, 64 hex chars (default: random key)
  --network PASSPHRASE       network passphrase (default: "Test SDF Network ; September 2015")
  --ledger-version N         Hello.ledgerVersion (default 28)
  --overlay-version N        Hello.overlayVersion (default 42)
  --overlay-min-version N    Hello.overlayMinVersion (default 41)
  --version-str S            Hello.versionStr (default "js-stellar-node-connector/7.0.1")
  --listening-port N         Hello.listeningPort (default: the connector's fixed 11625)
  --timeout-ms N             exit after this long (default 10000)
  --keep-idle                do not close on the socket idle 'timeout' event
  --now UNIX                 freeze the wall clock the connector reads (new Date(), Date.now())
                             at this Unix time in seconds; timers are not affected
  --log-level LEVEL          connector log level on stderr: silent|error|warn|info|debug|trace
                             (default error)
  --help                     print this text and exit 0
HOST must be a loopback address (127.0.0.0/8, ::1 or localhost).`;

function usage(msg) {
  if (msg) process.stderr.write(`peer: ${msg}\n`);
  process.stderr.write(USAGE + '\n');
  process.exit(2);
}

// ---------------------------------------------------------------- arguments
const VALUE_FLAGS = new Set([
  '--role', '--connect', '--listen', '--seed', '--network', '--ledger-version',
  '--overlay-version', '--overlay-min-version', '--version-str', '--listening-port',
  '--timeout-ms', '--log-level', '--now',
]);
const BOOL_FLAGS = new Set(['--keep-idle', '--help']);

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      v = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (BOOL_FLAGS.has(a)) {
      if (v !== undefined) usage(`flag ${a} takes no value`);
      out[a] = true;
    } else if (VALUE_FLAGS.has(a)) {
      if (v === undefined) {
        if (i + 1 >= argv.length) usage(`flag ${a} needs a value`);
        v = argv[++i];
      }
      if (a in out) usage(`flag ${a} given twice`);
      out[a] = v;
    } else {
      usage(`unknown argument: ${a}`);
    }
  }
  return out;
}

function parseInteger(name, s, min, max) {
  if (!/^-?[0-9]+$/.test(s)) usage(`${name}: not an integer: ${s}`);
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    usage(`${name}: out of range [${min}, ${max}]: ${s}`);
  return n;
}

function isLoopback(host) {
  if (host === 'localhost' || host === '::1') return true;
  return net.isIPv4(host) && host.split('.')[0] === '127';
}

function parseHostPort(name, s) {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):([0-9]+)$/.exec(s);
  if (!m) usage(`${name}: expected HOST:PORT or [V6]:PORT, got ${s}`);
  const host = m[1] ?? m[2];
  if (!isLoopback(host)) usage(`${name}: ${host} is not a loopback address`);
  return { host, port: parseInteger(`${name} port`, m[3], 0, 65535) };
}

const args = parseArgs(process.argv.slice(2));
if (args['--help']) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}
const role = args['--role'];
if (role !== 'initiator' && role !== 'acceptor') usage('--role must be initiator or acceptor');
let endpoint;
if (role === 'initiator') {
  if (args['--listen'] !== undefined) usage('--listen is for --role acceptor');
  if (args['--connect'] === undefined) usage('--role initiator needs --connect HOST:PORT');
  endpoint = parseHostPort('--connect', args['--connect']);
  if (endpoint.port === 0) usage('--connect: port 0');
} else {
  if (args['--connect'] !== undefined) usage('--connect is for --role initiator');
  if (args['--listen'] === undefined) usage('--role acceptor needs --listen HOST:PORT');
  endpoint = parseHostPort('--listen', args['--listen']);
}
let seed;
if (args['--seed'] !== undefined) {
  if (!/^[0-9a-fA-F]{64}$/.test(args['--seed'])) usage('--seed must be 64 hex characters');
  seed = Buffer.from(args['--seed'], 'hex');
}
const U32 = 0xffffffff;
const network = args['--network'] ?? 'Test SDF Network ; September 2015';
const ledgerVersion = args['--ledger-version'] !== undefined
  ? parseInteger('--ledger-version', args['--ledger-version'], 0, U32) : 28;
const overlayVersion = args['--overlay-version'] !== undefined
  ? parseInteger('--overlay-version', args['--overlay-version'], 0, U32) : 42;
const overlayMinVersion = args['--overlay-min-version'] !== undefined
  ? parseInteger('--overlay-min-version', args['--overlay-min-version'], 0, U32) : 41;
const versionString = args['--version-str'] ?? 'js-stellar-node-connector/7.0.1';
if (Buffer.byteLength(versionString, 'utf8') > 100) usage('--version-str longer than 100 bytes');
const listeningPort = args['--listening-port'] !== undefined
  ? parseInteger('--listening-port', args['--listening-port'], -2147483648, 2147483647)
  : undefined;
const timeoutMs = args['--timeout-ms'] !== undefined
  ? parseInteger('--timeout-ms', args['--timeout-ms'], 1, 2147483647) : 10000;
const keepIdle = Boolean(args['--keep-idle']);
if (args['--now'] !== undefined) {
  // The connector reads the wall clock with `new Date()` when it checks a received AuthCert
  // and when it issues its own; freezing Date gives the harness the clock control its clock
  // scenarios need. Timers run on the monotonic clock and keep working.
  const frozenMs = parseInteger('--now', args['--now'], 0, 253402300799) * 1000;
  const RealDate = Date;
  class FrozenDate extends RealDate {
    constructor(...a) { if (a.length === 0) super(frozenMs); else super(...a); }
    static now() { return frozenMs; }
  }
  globalThis.Date = FrozenDate;
}
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];
const logLevel = args['--log-level'] ?? 'error';
if (!LEVELS.includes(logLevel)) usage(`--log-level must be one of ${LEVELS.join('|')}`);

// ------------------------------------------------------------------ outcome
let finished = false;   // HANDSHAKE_FAILED or CLOSED printed
let handshakeOk = false;
let connection;         // the one Connection this process drives
let node;
let lastError;          // message of the last 'error' event
let crashed = false;    // CRASHED printed

function out(line) { process.stdout.write(line + '\n'); }
function diag(line) { process.stderr.write(`peer: ${line}\n`); }
function oneLine(s) { return String(s).replace(/[\r\n]+/g, ' ').trim() || 'unknown'; }

function finish(reason) {
  if (finished) return;
  finished = true;
  const code = handshakeOk ? 0 : 1;
  out(handshakeOk ? `CLOSED ${oneLine(reason)}` : `HANDSHAKE_FAILED ${oneLine(reason)}`);
  try { if (connection) connection.destroy(); } catch { /* already gone */ }
  try { if (node) node.stopAcceptingIncomingConnections(); } catch { /* not listening */ }
  // Let already-queued socket writes reach the kernel, then leave.
  setTimeout(() => process.exit(code), 20);
}

// The connector throws from inside its socket 'readable' handler in some
// situations (see README). Report those instead of dying with a stack trace.
process.on('uncaughtException', (e) => {
  diag(`uncaught exception from connector: ${e && e.stack ? e.stack : e}`);
  // conformance/SHIM.md: a plain consumer process would have died here. Reported even after
  // the final line (an AUTH before HELLO throws right after 'connect', D-14).
  if (!crashed) out(`CRASHED ${oneLine(e && e.message ? e.message : e)}`);
  crashed = true;
  finish(`connector exception: ${e && e.message ? e.message : e}`);
});

setTimeout(() => finish(`timeout after ${timeoutMs} ms`), timeoutMs);

// -------------------------------------------------------------- the library
// stderr logger with the pino-like surface the connector uses.
function makeLogger(level, bindings = {}) {
  const min = LEVELS.indexOf(level);
  const logger = { child: (b) => makeLogger(level, { ...bindings, ...b }) };
  for (const [i, name] of LEVELS.slice(0, 5).entries()) {
    logger[name] = (...a) => {
      if (i < min) return;
      const [first, ...rest] = a;
      const obj = first && typeof first === 'object' ? first : undefined;
      const msg = (obj ? rest : a).map(String).join(' ');
      process.stderr.write(`connector ${name}: ${msg}${obj ? ' ' + JSON.stringify(obj) : ''}\n`);
    };
  }
  return logger;
}

const { createNode } = require('@stellarbeat/js-stellar-node-connector');
const { Keypair } = require('@stellar/stellar-base');

const config = {
  network,
  nodeInfo: { ledgerVersion, overlayVersion, overlayMinVersion, versionString },
  listeningPort: listeningPort ?? 11625,
  privateKey: seed ? Keypair.fromRawEd25519Seed(seed).secret() : undefined,
  ...flowOptions,
};
node = createNode(config, makeLogger(logLevel));
diag(`local node ${node.keyPair.publicKey()} (${node.keyPair.rawPublicKey().toString('hex')})`);

function drive(conn) {
  connection = conn;
  // Connection ignores config.listeningPort and always announces its
  // localListeningPort field (11625); it is only read when our HELLO is built,
  // which is always after this point.
  if (listeningPort !== undefined) conn.localListeningPort = listeningPort;
  conn.on('connect', (publicKey, nodeInfo) => {
    if (finished) return;
    if (handshakeOk) {
      diag('connector emitted connect again (repeated AUTH)');
      return;
    }
    const raw = conn.remotePublicKeyRaw;
    if (!raw) {
      finish('connector emitted connect without having received a HELLO (AUTH before HELLO)');
      return;
    }
    handshakeOk = true;
    out(`HANDSHAKE_OK ${Buffer.from(raw).toString('hex')}`);
    diag(`remote ${publicKey} ${JSON.stringify(nodeInfo)}`);
  });
  conn.on('data', (job) => {
    try {
      const m = job.stellarMessage;
      let extra = '';
      if (m.switch().name === 'errorMsg')
        extra = ` code=${m.error().code().name} msg=${JSON.stringify(m.error().msg().toString())}`;
      diag(`recv ${m.switch().name}${extra}${handshakeOk ? '' : ' (before handshake completed)'}`);
    } finally {
      job.done();
    }
  });
  conn.on('error', (e) => {
    lastError = e && e.message ? e.message : String(e);
    diag(`connection error: ${lastError}`);
  });
  conn.on('timeout', () => {
    diag('socket idle timeout event');
    if (keepIdle || finished) return;
    lastError = lastError ?? 'idle timeout (socket timeout event)';
    conn.destroy();
  });
  conn.on('close', () => {
    if (handshakeOk) finish(lastError ? `error: ${lastError}` : 'remote closed');
    else finish(lastError ?? 'connection closed before handshake completed');
  });
}

if (role === 'initiator') {
  drive(node.connectTo(endpoint.host, endpoint.port));
} else {
  node.on('listening', () => {
    const addr = node.server.address();
    out(`LISTENING ${addr.port}`);
  });
  node.on('error', (e) => finish(`listen error: ${e && e.message ? e.message : e}`));
  node.on('connection', (conn) => {
    if (connection) {
      diag('refusing a second inbound connection');
      conn.destroy();
      return;
    }
    node.stopAcceptingIncomingConnections();
    drive(conn);
  });
  node.acceptIncomingConnections(endpoint.port, endpoint.host);
}
