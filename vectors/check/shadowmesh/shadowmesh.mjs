// Independent ShadowMesh re-handshake checker (node:crypto only, no code shared with the C++
// reference). Written from docs/protocols/shadowmesh.md: the 8-byte frame header and registry,
// the two codec profiles, the relay key schedule in both forms, the challenge MACs and the
// initiator/responder state tables with their timing and replay rules.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// The file schemas (vectors/schema/shadowmesh/), checked with ajv before any case is looked at.
const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;
const SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema', 'shadowmesh');
const ajv = new Ajv2020({ allErrors: false, strict: true, strictRequired: false });
const VALIDATORS = Object.fromEntries(
  ['kdf', 'codec', 'transcript'].map((n) => [
    `shadowmesh/${n}.schema.json`,
    ajv.compile(JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, `${n}.schema.json`), 'utf8'))),
  ]),
);

export class Malformed extends Error {}

const hex = (b) => Buffer.from(b).toString('hex');
const unhex = (s, what) => {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-f]*$/.test(s)) throw new Malformed(`${what}: not lower-case hex`);
  return Buffer.from(s, 'hex');
};

// ------------------------------------------------------------------ primitives
export const hmac = (key, msg) => crypto.createHmac('sha256', key).update(msg).digest();
export const hkdf = (salt, ikm, info, len = 32) => Buffer.from(crypto.hkdfSync('sha256', ikm, salt, info, len));
const ascii = (s) => Buffer.from(s, 'latin1');

export function masterCode(kem, ecdh) {
  return hkdf(Buffer.alloc(0), Buffer.concat([kem, ecdh]), ascii('ShadowMesh-v1-MasterSecret'));
}
export function masterDocument(kem, ecdh) {
  return hkdf(ascii('ShadowMesh-v1-KDF'), Buffer.concat([kem, ecdh]), ascii('handshake-master-secret'));
}
export function sessionCode(master, sid, local, remote) {
  const salt = ascii('ShadowMesh-v1-Session');
  const label = ascii('session-keys');
  return {
    tx: hkdf(salt, master, Buffer.concat([label, sid, local, remote])),
    rx: hkdf(salt, master, Buffer.concat([label, sid, remote, local])),
  };
}
export function sessionDocument(master, sid, client, relay) {
  const info = Buffer.concat([sid, client, relay]);
  return { tx: hkdf(ascii('ShadowMesh-v1-TX'), master, info), rx: hkdf(ascii('ShadowMesh-v1-RX'), master, info) };
}
export function macEqual(key, challenge, received) {
  const want = hmac(key, challenge);
  return received.length === want.length && crypto.timingSafeEqual(want, received);
}

// ------------------------------------------------------------------ codec
// id -> [name, smallest payload the deployed decoder takes, or null: no layout]
const REGISTRY = new Map([
  [0x01, ['HELLO', 6299]], [0x02, ['CHALLENGE', 6339]], [0x03, ['RESPONSE', 52]], [0x04, ['ESTABLISHED', 57]],
  [0x05, ['HEARTBEAT', 0]], [0x06, ['HEARTBEAT_ACK', 0]], [0x0e, ['ERROR', 2]], [0x0f, ['CLOSE', 2]],
  [0x10, ['DATA_FRAME', 8]], [0x11, ['MULTI_HOP', null]], [0x20, ['CONFIG_UPDATE', null]],
  [0x21, ['STATS_REQUEST', null]], [0x22, ['STATS_RESPONSE', null]],
  [0x30, ['REHANDSHAKE_REQUEST', 56]], [0x31, ['REHANDSHAKE_RESPONSE', 88]], [0x32, ['REHANDSHAKE_COMPLETE', 56]],
]);
const EXACT = new Map([[0x30, 56], [0x31, 88], [0x32, 56]]);
export const REQ = 0x30, RESP = 0x31, COMP = 0x32, CLOSE = 0x0f, ERROR = 0x0e;

const fail = (error, offset) => ({ ok: false, error, offset });

export function parseHeader(b) {
  if (b.length < 8) return fail('truncated', b.length);
  if (b.length > 8) return fail('trailing_bytes', 8);
  return { ok: true, fields: { version: b[0], type: b[1], flags: b.readUInt16BE(2), length: b.readUInt32BE(4) } };
}

export function validateType(id, profile) {
  const r = REGISTRY.get(id);
  if (profile === 'strict') return r && r[1] !== null;
  return !!r && !EXACT.has(id); // the deployed list leaves out 0x30-0x32
}

// One WebSocket binary message -> { ok, header, type, msg } or { ok:false, error, offset }.
export function decodeFrame(w, profile) {
  if (w.length < 8) return fail('truncated', w.length);
  const version = w[0], type = w[1], flags = w.readUInt16BE(2), length = w.readUInt32BE(4);
  if (version !== 1) return fail('wrong_version', 0);
  if (length > 65535) return fail('oversize', 4);
  const reg = REGISTRY.get(type);
  if (profile === 'strict') {
    if (!reg || reg[1] === null) return fail('unknown_type', 1);
    if (flags !== 0) return fail('bad_flags', 2);
    if (EXACT.has(type) && EXACT.get(type) !== length) return fail('bad_length', 4);
  }
  if (w.length < 8 + length) return fail('truncated', w.length);
  if (profile === 'strict' && w.length > 8 + length) return fail('trailing_bytes', 8 + length);
  const p = w.subarray(8, 8 + length);
  if (!reg || reg[1] === null) return fail('unknown_type', 1);
  if (p.length < reg[1]) return fail('truncated', 8 + p.length);
  if (profile === 'strict' && EXACT.has(type) && p.length !== EXACT.get(type)) return fail('trailing_bytes', 8 + EXACT.get(type));
  const fields = { version, type: reg[0], flags, length };
  const msg = { type };
  if (type === REQ) {
    Object.assign(msg, { sid: p.subarray(0, 16), challenge: p.subarray(16, 48), ts: p.readBigUInt64BE(48) });
    Object.assign(fields, { session_id: hex(msg.sid), challenge: hex(msg.challenge), timestamp_ms: msg.ts.toString() });
  } else if (type === RESP) {
    Object.assign(msg, { sid: p.subarray(0, 16), mac: p.subarray(16, 48), challenge: p.subarray(48, 80), ts: p.readBigUInt64BE(80) });
    Object.assign(fields, {
      session_id: hex(msg.sid), challenge_response: hex(msg.mac), challenge: hex(msg.challenge), timestamp_ms: msg.ts.toString(),
    });
  } else if (type === COMP) {
    Object.assign(msg, { sid: p.subarray(0, 16), mac: p.subarray(16, 48), ts: p.readBigUInt64BE(48) });
    Object.assign(fields, { session_id: hex(msg.sid), challenge_response: hex(msg.mac), timestamp_ms: msg.ts.toString() });
  } else if (type === CLOSE) {
    Object.assign(fields, { reason: p.readUInt16BE(0), text: hex(p.subarray(2)) });
  } else if (type === ERROR) {
    Object.assign(fields, { code: p.readUInt16BE(0), text: hex(p.subarray(2)) });
  } else {
    fields.payload = hex(p);
  }
  return { ok: true, fields, msg };
}

const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(v); return b; };
function frame(type, payload) {
  const h = Buffer.alloc(8);
  h[0] = 1; h[1] = type; h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}
export const encodeRequest = (sid, c, ts) => frame(REQ, Buffer.concat([sid, c, u64(ts)]));
export const encodeResponse = (sid, mac, c, ts) => frame(RESP, Buffer.concat([sid, mac, c, u64(ts)]));
export const encodeComplete = (sid, mac, ts) => frame(COMP, Buffer.concat([sid, mac, u64(ts)]));
export const encodeClose = (reason) => { const p = Buffer.alloc(2); p.writeUInt16BE(reason); return frame(CLOSE, p); };

// ------------------------------------------------------------------ machine
const SKEW = 30000n, DEADLINE = 5000n;

function skewError(ts, now) {
  if (ts < now && now - ts > SKEW) return 'stale_timestamp';
  if (ts > now && ts - now > SKEW) return 'future_timestamp';
  return null;
}

class Machine {
  constructor(role, profile, keys, challenge, cache) {
    Object.assign(this, { role, profile, keys, challenge, cache });
    this.state = role === 'initiator' ? 'I0' : 'R0';
    this.entered = 0n;
    this.received = 0;
    this.dropped = [];
    this.authenticated = false;
    this.closure = null;
    this.out = [];
  }
  hasDeadline() { return ['I1', 'R0', 'R1'].includes(this.state); }
  abort(error, offset, at, reason = 3) {
    if (this.profile === 'strict') this.out.push(encodeClose(reason));
    this.state = 'closed';
    this.closure = { error, offset, at_message: at, by_peer: false };
  }
  closeSilently(error, offset, at, byPeer) {
    this.state = 'closed';
    this.closure = { error, offset, at_message: at, by_peer: byPeer };
  }
  open(now) {
    if (this.state === 'closed') return;
    if (this.role === 'responder') { this.entered = now; return; }
    if (this.state !== 'I0') return;
    this.cI = this.challenge;
    this.out.push(encodeRequest(this.keys.sid, this.cI, now));
    this.state = 'I1';
    this.entered = now;
  }
  text() {
    if (this.state === 'closed') return;
    const i = this.received++;
    if (this.profile === 'upstream') this.dropped.push(i);
    else this.abort('decode_error', 0, i);
  }
  idle() {
    if (this.state === 'closed' || !this.hasDeadline()) return;
    this.abort('timeout', null, this.received, 1);
  }
  peerClosed() {
    if (this.state === 'closed') return;
    this.closeSilently('peer_closed', null, this.received, true);
  }
  // SessionID (offset 8) then timestamp.
  common(m, tsOffset, now) {
    if (!m.sid.equals(this.keys.sid)) return ['unknown_session', 8];
    const e = skewError(m.ts, now);
    return e ? [e, tsOffset] : null;
  }
  binary(w, now) {
    if (this.state === 'closed') return;
    const i = this.received++;
    if (this.hasDeadline() && now > this.entered && now - this.entered > DEADLINE) return this.abort('timeout', null, i, 1);
    const f = decodeFrame(w, this.profile);
    if (!f.ok) {
      if (this.profile === 'upstream') return void this.dropped.push(i);
      return this.abort(f.error, f.offset, i);
    }
    const t = f.msg.type;
    if (t === CLOSE || t === ERROR) return this.closeSilently('peer_error', 1, i, false);
    if (this.state === 'I2' || this.state === 'R2') {
      if (t === REQ || t === RESP || t === COMP) this.abort('unexpected_message', 1, i);
      return;
    }
    const want = { I1: RESP, R0: REQ, R1: COMP }[this.state];
    if (t !== want) return this.abort('unexpected_message', 1, i);
    const m = f.msg;
    if (t === REQ) {
      const e = this.common(m, 56, now);
      if (e) return this.abort(e[0], e[1], i);
      if (this.profile === 'strict') {
        const key = hex(m.challenge);
        const seen = this.cache.get(key);
        if (seen !== undefined && seen >= now) return this.abort('replay', 24, i);
        for (const [k, until] of this.cache) if (until < now) this.cache.delete(k);
        this.cache.set(key, (m.ts > now ? m.ts : now) + SKEW);
      }
      this.cI = Buffer.from(m.challenge);
      this.cR = this.challenge;
      this.out.push(encodeResponse(this.keys.sid, hmac(this.keys.tx, this.cI), this.cR, now));
      this.state = 'R1';
      this.entered = now;
    } else if (t === RESP) {
      const e = this.common(m, 88, now);
      if (e) return this.abort(e[0], e[1], i);
      if (!macEqual(this.keys.rx, this.cI, m.mac)) return this.abort('bad_mac', 24, i);
      this.out.push(encodeComplete(this.keys.sid, hmac(this.keys.tx, m.challenge), now));
      this.authenticated = true;
      this.state = 'I2';
      this.entered = now;
    } else {
      const e = this.common(m, 56, now);
      if (e) return this.abort(e[0], e[1], i);
      if (!macEqual(this.keys.rx, this.cR, m.mac)) return this.abort('bad_mac', 24, i);
      this.authenticated = true;
      this.state = 'R2';
      this.entered = now;
    }
  }
  take() { const o = this.out.map(hex); this.out = []; return o; }
}

// ------------------------------------------------------------------ comparison
class Mismatch extends Error {}
function same(file, want, path) {
  if (Array.isArray(want)) {
    if (!Array.isArray(file)) throw new Mismatch(`${path}: not an array`);
    if (file.length !== want.length) throw new Mismatch(`${path}: ${file.length} entries, expected ${want.length}`);
    want.forEach((w, k) => same(file[k], w, `${path}[${k}]`));
    return;
  }
  if (want !== null && typeof want === 'object') {
    if (file === null || typeof file !== 'object' || Array.isArray(file)) throw new Mismatch(`${path}: not an object`);
    for (const k of Object.keys(want)) {
      if (!(k in file)) throw new Mismatch(`${path}.${k}: missing`);
      same(file[k], want[k], `${path}.${k}`);
    }
    for (const k of Object.keys(file)) if (!(k in want)) throw new Mismatch(`${path}.${k}: unexpected key`);
    return;
  }
  if (file !== want) throw new Mismatch(`${path}: file has ${JSON.stringify(file)}, expected ${JSON.stringify(want)}`);
}
function only(obj, keys, path) {
  for (const k of Object.keys(obj)) if (!keys.includes(k)) throw new Mismatch(`${path}.${k}: unexpected key`);
}

// ------------------------------------------------------------------ per-schema checks
function checkKdf(g, t) {
  if (g.type === 'ShadowMeshMasterSecret') {
    only(t, ['tcId', 'comment', 'flags', 'kem_ss', 'ecdh_ss', 'master', 'result'], 'test');
    const f = g.form === 'code' ? masterCode : g.form === 'document' ? masterDocument : null;
    if (!f) throw new Mismatch('group.form: unknown');
    same(t.master, hex(f(unhex(t.kem_ss, 'kem_ss'), unhex(t.ecdh_ss, 'ecdh_ss'))), 'master');
    same(t.result, 'valid', 'result');
  } else if (g.type === 'ShadowMeshSessionKeys') {
    const code = g.form === 'code';
    if (!code && g.form !== 'document') throw new Mismatch('group.form: unknown');
    const [a, b] = code ? ['local_id', 'remote_id'] : ['client_id', 'relay_id'];
    only(t, ['tcId', 'comment', 'flags', 'master', 'session_id', a, b, 'tx', 'rx', 'result'], 'test');
    const args = [unhex(t.master, 'master'), unhex(t.session_id, 'session_id'), unhex(t[a], a), unhex(t[b], b)];
    const k = code ? sessionCode(...args) : sessionDocument(...args);
    same(t.tx, hex(k.tx), 'tx');
    same(t.rx, hex(k.rx), 'rx');
    same(t.result, 'valid', 'result');
  } else if (g.type === 'ShadowMeshChallengeMac') {
    only(t, ['tcId', 'comment', 'flags', 'key', 'challenge', 'mac', 'result', 'error'], 'test');
    const good = macEqual(unhex(t.key, 'key'), unhex(t.challenge, 'challenge'), unhex(t.mac, 'mac'));
    same(t.result, good ? 'valid' : 'invalid', 'result');
    same(t.error, good ? undefined : 'bad_mac', 'error');
  } else throw new Mismatch(`group.type: unknown ${g.type}`);
}

function checkCodec(g, t) {
  if (g.type === 'ShadowMeshCodec') {
    if (!['strict', 'upstream'].includes(g.profile)) throw new Mismatch('group.profile: unknown');
    only(t, ['tcId', 'comment', 'flags', 'wire', 'result', 'fields', 'error', 'offset'], 'test');
    const w = unhex(t.wire, 'wire');
    const r = decodeFrame(w, g.profile);
    const lenient = g.profile === 'upstream' && r.ok && !decodeFrame(w, 'strict').ok;
    same(t.flags.includes('UpstreamLenient'), lenient, 'flags(UpstreamLenient)');
    if (r.ok) {
      same(t.result, 'valid', 'result');
      same(t.fields, r.fields, 'fields');
      same(t.error, undefined, 'error');
    } else {
      same(t.result, 'invalid', 'result');
      same(t.error, r.error, 'error');
      same(t.offset, r.offset, 'offset');
      same(t.fields, undefined, 'fields');
    }
  } else if (g.type === 'ShadowMeshHeader') {
    only(t, ['tcId', 'comment', 'flags', 'bytes', 'result', 'fields', 'error', 'offset'], 'test');
    const r = parseHeader(unhex(t.bytes, 'bytes'));
    same(t.result, r.ok ? 'valid' : 'invalid', 'result');
    if (r.ok) same(t.fields, r.fields, 'fields');
    else { same(t.error, r.error, 'error'); same(t.offset, r.offset, 'offset'); }
  } else if (g.type === 'ShadowMeshValidateMessageType') {
    only(t, ['tcId', 'comment', 'flags', 'type_id', 'result', 'error'], 'test');
    const good = validateType(t.type_id, g.profile);
    same(t.result, good ? 'valid' : 'invalid', 'result');
    same(t.error, good ? undefined : 'unknown_type', 'error');
  } else throw new Mismatch(`group.type: unknown ${g.type}`);
}

function checkTranscript(g, t) {
  if (g.type !== 'ShadowMeshRehandshake') throw new Mismatch('group.type: unknown');
  if (!['strict', 'upstream'].includes(g.profile)) throw new Mismatch('group.profile: unknown');
  if (!['initiator', 'responder'].includes(g.role)) throw new Mismatch('group.role: unknown');
  only(t, ['tcId', 'comment', 'flags', 'inputs', 'expected', 'result', 'error'], 'test');
  const inp = t.inputs;
  only(inp, ['session_id', 'tx_key', 'rx_key', 'random', 'events'], 'inputs');
  const keys = { sid: unhex(inp.session_id, 'session_id'), tx: unhex(inp.tx_key, 'tx_key'), rx: unhex(inp.rx_key, 'rx_key') };
  const cache = new Map(); // shared by the test's connections
  const machines = inp.random.map((r) => new Machine(g.role, g.profile, keys, unhex(r, 'random'), cache));
  const sent = [];
  for (const e of inp.events) {
    only(e, ['conn', 'at', 'op', 'wire'], 'inputs.events[]');
    const m = machines[e.conn];
    if (!m) throw new Mismatch('inputs.events[].conn: out of range');
    const now = BigInt(e.at);
    switch (e.op) {
      case 'open': m.open(now); break;
      case 'binary': m.binary(unhex(e.wire, 'wire'), now); break;
      case 'text': m.text(); break;
      case 'idle_timeout': m.idle(); break;
      case 'peer_closed': m.peerClosed(); break;
      default: throw new Mismatch(`inputs.events[].op: unknown ${e.op}`);
    }
    sent.push(m.take());
  }
  const names = { I0: 'I0', I1: 'I1', I2: 'I2', R0: 'R0', R1: 'R1', R2: 'R2', closed: 'closed' };
  const outcomes = machines.map((m) => {
    const o = { state: names[m.state], authenticated: m.authenticated, dropped: m.dropped };
    if (m.closure) Object.assign(o, m.closure);
    return o;
  });
  same(t.expected, { sent, outcomes }, 'expected');
  const first = machines.find((m) => m.closure);
  same(t.result, first ? 'invalid' : 'valid', 'result');
  same(t.error, first ? first.closure.error : undefined, 'error');
}

const CHECKERS = {
  'shadowmesh/kdf.schema.json': checkKdf,
  'shadowmesh/codec.schema.json': checkCodec,
  'shadowmesh/transcript.schema.json': checkTranscript,
};

// Returns { cases: [{ id, lines }] }; throws Malformed for a file that is not a vector file.
export function checkData(data, name) {
  if (data === null || typeof data !== 'object') throw new Malformed('not an object');
  for (const k of ['variant', 'schema', 'generatedBy', 'header', 'notes', 'numberOfTests', 'testGroups'])
    if (!(k in data)) throw new Malformed(`missing ${k}`);
  if (data.variant !== 'shadowmesh') throw new Malformed('variant is not shadowmesh');
  const check = CHECKERS[data.schema];
  if (!check) throw new Malformed(`unknown schema ${data.schema}`);
  const validate = VALIDATORS[data.schema];
  if (!validate(data)) {
    const e = validate.errors[0];
    throw new Malformed(`does not match ${data.schema}: ${e.instancePath || '/'} ${e.message}`);
  }
  const cases = [];
  const ids = new Set();
  for (const g of data.testGroups) {
    for (const t of g.tests) {
      const lines = [];
      try {
        if (!Number.isInteger(t.tcId) || ids.has(t.tcId)) throw new Mismatch('tcId: missing or duplicate');
        ids.add(t.tcId);
        if (!Array.isArray(t.flags)) throw new Mismatch('flags: not an array');
        for (const f of t.flags) if (!(f in data.notes)) throw new Mismatch(`flags: ${f} not in notes`);
        check(g, t);
      } catch (e) {
        if (e instanceof Mismatch || e instanceof Malformed || e instanceof RangeError || e instanceof TypeError)
          lines.push(`${name}: tcId ${t.tcId}: ${e.message}`);
        else throw e;
      }
      cases.push({ id: t.tcId, lines });
    }
  }
  if (cases.length !== data.numberOfTests) {
    cases.push({ id: 'numberOfTests', lines: [`${name}: numberOfTests is ${data.numberOfTests}, file has ${cases.length}`] });
  }
  return { cases };
}

export function checkFile(file) {
  let data;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Malformed(`cannot read JSON: ${e.message}`);
  }
  return checkData(data, file);
}
