// An independent STT implementation for checking vectors: written from docs/protocols/stt.md
// with node:crypto only, sharing no code with the C++ reference. XChaCha20-Poly1305 is built
// here from HChaCha20 (draft-irtf-cfrg-xchacha section 2.2) and node's ChaCha20-Poly1305.
import crypto from 'node:crypto';

export class Fail extends Error {
  constructor(code, offset, detail) {
    super(`${code} at ${offset}: ${detail}`);
    this.code = code;
    this.offset = offset;
  }
}
const fail = (code, offset, detail = '') => { throw new Fail(code, offset, detail); };

export const hex = (b) => Buffer.from(b).toString('hex');
export const unhex = (s) => {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new Error(`bad hex: ${s}`);
  return Buffer.from(s, 'hex');
};
const u32be = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const u64be = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(n))); return b; };
const ascii = (s) => Buffer.from(s, 'utf8');

// ------------------------------------------------------------------ crypto
export const sha256 = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();
export const hkdf = (salt, ikm, info, n) => Buffer.from(crypto.hkdfSync('sha256', ikm, salt, info, n));
// RFC 5869 expand for one block (n <= 32).
export const hkdfExpand32 = (prk, info) => hmac(prk, Buffer.concat([info, Buffer.from([1])]));

function rotl(x, n) { return ((x << n) | (x >>> (32 - n))) >>> 0; }
export function hchacha20(key, nonce16) {
  const s = new Uint32Array(16);
  s[0] = 0x61707865; s[1] = 0x3320646e; s[2] = 0x79622d32; s[3] = 0x6b206574;
  for (let i = 0; i < 8; i++) s[4 + i] = key.readUInt32LE(4 * i);
  for (let i = 0; i < 4; i++) s[12 + i] = nonce16.readUInt32LE(4 * i);
  const qr = (a, b, c, d) => {
    s[a] = (s[a] + s[b]) >>> 0; s[d] = rotl(s[d] ^ s[a], 16);
    s[c] = (s[c] + s[d]) >>> 0; s[b] = rotl(s[b] ^ s[c], 12);
    s[a] = (s[a] + s[b]) >>> 0; s[d] = rotl(s[d] ^ s[a], 8);
    s[c] = (s[c] + s[d]) >>> 0; s[b] = rotl(s[b] ^ s[c], 7);
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15);
    qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14);
  }
  const out = Buffer.alloc(32);
  [0, 1, 2, 3, 12, 13, 14, 15].forEach((w, i) => out.writeUInt32LE(s[w], 4 * i));
  return out;
}
function xparams(key, nonce24) {
  const sub = hchacha20(key, nonce24.subarray(0, 16));
  const n12 = Buffer.concat([Buffer.alloc(4), nonce24.subarray(16, 24)]);
  return [sub, n12];
}
export function xseal(key, nonce24, aad, pt) {
  const [k, n] = xparams(key, nonce24);
  const c = crypto.createCipheriv('chacha20-poly1305', k, n, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: pt.length });
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
}
export function xopen(key, nonce24, aad, sealed) {
  if (sealed.length < 16) return null;
  const [k, n] = xparams(key, nonce24);
  const d = crypto.createDecipheriv('chacha20-poly1305', k, n, { authTagLength: 16 });
  d.setAAD(aad, { plaintextLength: sealed.length - 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------ TLV
export const LIMITS = { depth: 8, count: 1024, size: 65536 };
const HARD_DEPTH = 256;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const isUtf8 = (b) => { try { utf8.decode(b); return true; } catch { return false; } };

// Decoded nodes: {t, v, off} with t in null|bool|int|float64|bytes|string|list|dict; int v is a
// BigInt, float64 v the 8 bytes, bytes/string v a Buffer, list v an array, dict v [[keyBuf, node]].
export function tlvDecode(input, len = {}) {
  if (!len.noLimits && input.length > LIMITS.size) fail('oversize', LIMITS.size, 'input over 64 KiB');
  let pos = 0;
  const need = (n) => { if (input.length - pos < n) fail('truncated', input.length, 'ends inside a field'); };
  const u8 = () => { need(1); return input[pos++]; };
  const take = (n) => { need(n); const b = input.subarray(pos, pos + n); pos += n; return b; };
  const u32 = () => take(4).readUInt32BE(0);
  const prefixed = () => {
    const n = u32();
    if (n > input.length - pos) {
      if (len.truncate) return take(input.length - pos);
      fail('truncated', pos - 4, 'length past the end');
    }
    return take(n);
  };
  const value = (depth) => {
    const off = pos;
    const t = u8();
    switch (t) {
      case 0x00: return { t: 'null', off };
      case 0x01: case 0x02: return { t: 'bool', v: t === 0x02, off };
      case 0x10: return { t: 'int', v: BigInt(take(1).readInt8(0)), off };
      case 0x11: { const v = take(2).readInt16BE(0); if (v >= -128 && v <= 127) fail('non_canonical', off); return { t: 'int', v: BigInt(v), off }; }
      case 0x12: { const v = take(4).readInt32BE(0); if (v >= -32768 && v <= 32767) fail('non_canonical', off); return { t: 'int', v: BigInt(v), off }; }
      case 0x13: { const v = take(8).readBigInt64BE(0); if (v >= -2147483648n && v <= 2147483647n) fail('non_canonical', off); return { t: 'int', v, off }; }
      case 0x21: return { t: 'float64', v: Buffer.from(take(8)), off };
      case 0x30: return { t: 'bytes', v: Buffer.from(prefixed()), off };
      case 0x31: { const b = prefixed(); if (!isUtf8(b)) fail('decode_error', off, 'utf-8'); return { t: 'string', v: Buffer.from(b), off }; }
      case 0x40: case 0x41: {
        if ((!len.noLimits && depth + 1 > LIMITS.depth) || depth + 1 > HARD_DEPTH) fail('oversize', off, 'depth');
        const countAt = pos;
        const count = u32();
        if (!len.noLimits && count > LIMITS.count) fail('bad_length', countAt, 'count');
        const items = [];
        for (let i = 0; i < count; i++) {
          if (t === 0x40) { items.push(value(depth + 1)); continue; }
          const keyAt = pos;
          if (u8() !== 0x31) fail('decode_error', keyAt, 'key not STRING');
          const key = prefixed();
          if (!isUtf8(key)) fail('decode_error', keyAt, 'key utf-8');
          const v = value(depth + 1);
          if (len.dupOverwrite) {
            const same = items.findIndex(([k]) => k.equals(key));
            if (same >= 0) { items[same] = [Buffer.from(key), v]; continue; }
          } else if (items.length > 0) {
            const c = Buffer.compare(key, items[items.length - 1][0]);
            if (c === 0) fail('decode_error', keyAt, 'duplicate key');
            if (c < 0) fail('non_canonical', keyAt, 'unsorted keys');
          }
          items.push([Buffer.from(key), v]);
        }
        return { t: t === 0x40 ? 'list' : 'dict', v: items, off };
      }
      default:
        fail('unknown_type', off, 'tag');
    }
  };
  const v = value(0);
  if (!len.trailing && pos !== input.length) fail('trailing_bytes', pos, 'trailing');
  return v;
}

export function tlvEncode(n) {
  switch (n.t) {
    case 'null': return Buffer.from([0]);
    case 'bool': return Buffer.from([n.v ? 2 : 1]);
    case 'int': {
      const v = BigInt(n.v);
      if (v >= -128n && v <= 127n) { const b = Buffer.alloc(2); b[0] = 0x10; b.writeInt8(Number(v), 1); return b; }
      if (v >= -32768n && v <= 32767n) { const b = Buffer.alloc(3); b[0] = 0x11; b.writeInt16BE(Number(v), 1); return b; }
      if (v >= -2147483648n && v <= 2147483647n) { const b = Buffer.alloc(5); b[0] = 0x12; b.writeInt32BE(Number(v), 1); return b; }
      const b = Buffer.alloc(9); b[0] = 0x13; b.writeBigInt64BE(v, 1); return b;
    }
    case 'float64': return Buffer.concat([Buffer.from([0x21]), n.v]);
    case 'bytes': return Buffer.concat([Buffer.from([0x30]), u32be(n.v.length), n.v]);
    case 'string': return Buffer.concat([Buffer.from([0x31]), u32be(n.v.length), n.v]);
    case 'list': return Buffer.concat([Buffer.from([0x40]), u32be(n.v.length), ...n.v.map(tlvEncode)]);
    case 'dict': {
      const items = [...n.v].sort((a, b) => Buffer.compare(a[0], b[0]));
      return Buffer.concat([Buffer.from([0x41]), u32be(items.length),
        ...items.flatMap(([k, v]) => [Buffer.from([0x31]), u32be(k.length), k, tlvEncode(v)])]);
    }
    default: throw new Error(`cannot encode ${n.t}`);
  }
}

// The vectors' JSON form of a value.
export function valueJson(n) {
  switch (n.t) {
    case 'null': return { t: 'null' };
    case 'bool': return { t: 'bool', v: n.v };
    case 'int': return { t: 'int', v: n.v.toString() };
    case 'float64': return { t: 'float64', bits: hex(n.v) };
    case 'bytes': case 'string': return { t: n.t, v: hex(n.v) };
    case 'list': return { t: 'list', v: n.v.map(valueJson) };
    case 'dict': return { t: 'dict', v: n.v.map(([k, v]) => [hex(k), valueJson(v)]) };
    default: throw new Error('bad node');
  }
}

// ------------------------------------------------------------------ messages
const FIELDS = {
  HELLO: [['commitment', 'bytes', 0], ['node_id', 'bytes', 32], ['nonce', 'bytes', 32], ['timestamp', 'int']],
  RESPONSE: [['challenge', 'bytes', 0], ['challenge_metadata', 'bytes', 0], ['node_id', 'bytes', 32], ['nonce', 'bytes', 32], ['timestamp', 'int']],
  AUTH_PROOF: [['proof', 'bytes', 0], ['proof_metadata', 'bytes', 0], ['session_id', 'bytes', 8], ['timestamp', 'int']],
  FINAL: [['session_id', 'bytes', 8], ['timestamp', 'int']],
};
export const MESSAGE_TYPES = Object.keys(FIELDS);

export function parseMessage(tlv, opts = {}) {
  const d = tlvDecode(tlv, opts.leniency || {});
  if (d.t !== 'dict') fail('decode_error', d.off, 'not a dict');
  const find = (k) => { const e = d.v.find(([key]) => key.toString('utf8') === k); return e ? e[1] : null; };
  const get = (k, t) => {
    const v = find(k);
    if (!v) fail('decode_error', d.off, `missing ${k}`);
    if (v.t !== t) fail('decode_error', v.off, `type of ${k}`);
    return v;
  };
  const type = get('type', 'string');
  const name = type.v.toString('utf8');
  const fields = FIELDS[name];
  if (!fields) fail('unknown_type', type.off, 'message type');
  const m = { type: name };
  for (const [k, t, size] of fields) {
    const v = get(k, t);
    if (t === 'bytes' && size && opts.checkLengths !== false && v.v.length !== size) fail('bad_length', v.off, k);
    m[k] = v.v;
  }
  for (const [k, v] of d.v) {
    const ks = k.toString('utf8');
    if (ks !== 'type' && !fields.some(([f]) => f === ks)) fail('decode_error', v.off, 'unknown key');
  }
  return m;
}

export function serializeMessage(m) {
  const items = [[ascii('type'), { t: 'string', v: ascii(m.type) }]];
  for (const [k, t] of FIELDS[m.type]) items.push([ascii(k), { t, v: m[k] }]);
  return tlvEncode({ t: 'dict', v: items });
}

export function messageFieldsJson(m) {
  const o = {};
  for (const [k, t] of FIELDS[m.type]) o[k] = t === 'int' ? m[k].toString() : hex(m[k]);
  return o;
}

// ------------------------------------------------------------------ frames
export const MAX_DATAGRAM = 1472;
const MAX_FRAME = 2 * 1024 * 1024;

export function varint(n) {
  let v = BigInt(n);
  const out = [];
  while (v >= 0x80n) { out.push(Number(v & 0x7fn) | 0x80); v >>= 7n; }
  out.push(Number(v));
  return Buffer.from(out);
}

function readVarint(buf, pos, end) {
  const start = pos;
  let v = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) fail('truncated', end, 'varint');
    const b = buf[pos++];
    const g = BigInt(b & 0x7f);
    if (i === 9 && g > 1n) fail('bad_length', start, 'varint over 64 bits');
    v |= g << BigInt(7 * i);
    if ((b & 0x80) === 0) {
      if (b === 0 && i > 0) fail('non_canonical', start, 'redundant zero group');
      return [v, pos];
    }
  }
  fail('bad_length', start, 'varint over 10 bytes');
}

export function headerBytes(h) {
  return Buffer.concat([Buffer.from([h.type, h.flags]), h.session_id, u64be(h.sequence), u64be(h.timestamp_ms), u32be(h.stream_id)]);
}

export function serializeFrame(f) {
  const body = Buffer.concat([headerBytes(f.header), varint(f.metadata.length), f.metadata, f.payload]);
  return Buffer.concat([ascii('ST'), varint(body.length), body]);
}

export function parseFrame(d) {
  if (d.length > MAX_DATAGRAM) fail('oversize', MAX_DATAGRAM, 'datagram');
  if (d.length < 2) fail('truncated', d.length, 'magic');
  if (d[0] !== 0x53 || d[1] !== 0x54) fail('decode_error', 0, 'magic');
  const [length, p1] = readVarint(d, 2, d.length);
  if (length > BigInt(MAX_FRAME)) fail('oversize', 2, 'frame over 2 MiB');
  if (length > BigInt(d.length - p1)) fail('truncated', 2, 'frame length');
  const end = p1 + Number(length);
  if (end !== d.length) fail('trailing_bytes', end, 'after frame');
  if (end - p1 < 30) fail('truncated', end, 'header');
  const h = {
    type: d[p1], flags: d[p1 + 1], session_id: Buffer.from(d.subarray(p1 + 2, p1 + 10)),
    sequence: d.readBigUInt64BE(p1 + 10), timestamp_ms: d.readBigUInt64BE(p1 + 18), stream_id: d.readUInt32BE(p1 + 26),
  };
  const metaAt = p1 + 30;
  const [ml, p2] = readVarint(d, metaAt, end);
  if (ml > BigInt(end - p2)) fail('bad_length', metaAt, 'metadata length');
  const p3 = p2 + Number(ml);
  return { header: h, metadata: Buffer.from(d.subarray(p2, p3)), payload: Buffer.from(d.subarray(p3, end)), headerAt: p1, payloadAt: p3 };
}

export function frameJson(f) {
  return {
    type: f.header.type, flags: f.header.flags, session_id: hex(f.header.session_id),
    sequence: f.header.sequence.toString(), timestamp_ms: f.header.timestamp_ms.toString(),
    stream_id: f.header.stream_id, metadata: hex(f.metadata), payload: hex(f.payload),
  };
}

// ------------------------------------------------------------------ handshake
export const WINDOW_MS = 30000n;
const prefixedBuf = (b) => Buffer.concat([u32be(b.length), b]);

export class NonceCache {
  constructor(capacity = 4096) { this.capacity = capacity; this.order = []; this.set = new Set(); }
  has(nonce) { return this.set.has(hex(nonce)); }
  add(nonce, ts, now, window) {
    while (this.order.length && this.order[0][1] < now - window) this.set.delete(this.order.shift()[0]);
    while (this.order.length >= this.capacity) this.set.delete(this.order.shift()[0]);
    const k = hex(nonce);
    if (!this.set.has(k)) { this.set.add(k); this.order.push([k, ts]); }
  }
}

export class Script {
  constructor(bytes) { this.bytes = bytes; this.pos = 0; }
  take(n) {
    if (this.pos + n > this.bytes.length) throw new Error('random script ran out');
    const b = this.bytes.subarray(this.pos, this.pos + n); this.pos += n; return Buffer.from(b);
  }
  get unused() { return this.bytes.length - this.pos; }
}

const sessionIdOf = (a, b) => {
  const n = Math.min(a.length, b.length, 8);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = a[i] ^ b[i];
  return out;
};

export class Peer {
  // side: {node_seed, shared_seed, now (seconds), send_skew_ms, timestamp_window_ms}
  constructor(role, side, rng, cache) {
    this.role = role; this.side = side; this.rng = rng; this.cache = cache;
    this.nodeId = sha256(side.node_seed);
    this.hsKey = hkdf(Buffer.alloc(0), side.shared_seed, ascii('STT v1 handshake key'), 32);
    this.state = 'idle'; this.authenticated = false; this.closure = null;
    this.received = 0; this.out = []; this.lastReceived = null; this.lastSent = null; this.resends = 0;
    this.sessionId = Buffer.alloc(0); this.transcript = null; this.sessionKey = null; this.channel = null;
  }
  nowMs() { return BigInt(this.side.now) * 1000n; }
  sendTs() { return this.nowMs() + BigInt(this.side.send_skew_ms); }
  encrypt(pt, aad) { const n = this.rng.take(24); return [xseal(this.hsKey, n, aad, pt), n]; }
  decrypt(ct, meta, aad) {
    if (meta.length !== 24) fail('bad_credentials', null, 'metadata');
    const p = xopen(this.hsKey, meta, aad, ct);
    if (!p) fail('bad_credentials', null, 'does not open');
    return p;
  }
  checkTs(ts) {
    const w = BigInt(this.side.timestamp_window_ms);
    if (ts < this.nowMs() - w) fail('stale_timestamp', null, 'stale');
    if (ts > this.nowMs() + w) fail('future_timestamp', null, 'future');
  }
  send(m, index) {
    const tlv = serializeMessage(m);
    const f = serializeFrame({ header: { type: 5, flags: 0, session_id: Buffer.alloc(8), sequence: BigInt(index), timestamp_ms: m.timestamp, stream_id: 0 }, metadata: Buffer.alloc(0), payload: tlv });
    this.lastSent = f; this.resends = 0; this.out.push(f);
  }
  close(e) {
    this.state = 'closed';
    this.closure = { error: e.code, offset: e.offset, at: this.received === 0 ? 0 : this.received - 1 };
  }
  start() {
    if (this.role === 'responder') { this.state = 'awaiting_hello'; return; }
    this.nonce = this.rng.take(32);
    this.helloTlv = null;
    const m = { type: 'HELLO', node_id: this.nodeId, nonce: this.nonce, timestamp: this.sendTs(), commitment: sha256(this.nodeId, this.nonce) };
    this.helloTlv = serializeMessage(m);
    this.send(m, 0);
    this.state = 'awaiting_response';
  }
  takeOutput() { const o = this.out; this.out = []; return o; }
  receive(d) {
    if (this.state === 'closed') return;
    this.received++;
    if (this.lastReceived && d.equals(this.lastReceived)) {
      if (this.lastSent && this.resends < 3) { this.resends++; this.out.push(this.lastSent); }
      return;
    }
    try {
      if (this.state === 'done') fail('unexpected_message', 0, 'after completion');
      if (d.length > MAX_DATAGRAM) fail('oversize', MAX_DATAGRAM, 'datagram');
      const f = parseFrame(d);
      const h = f.headerAt;
      if (f.header.type !== 5) fail('unexpected_message', h, 'not handshake');
      if (f.header.flags !== 0) fail('bad_flags', h + 1, 'flags');
      if (f.header.session_id.some((x) => x !== 0)) fail('decode_error', h + 2, 'session id');
      if (f.header.stream_id !== 0) fail('decode_error', h + 26, 'stream id');
      if (f.metadata.length !== 0) fail('decode_error', h + 30, 'metadata');
      let m;
      try {
        m = parseMessage(f.payload);
      } catch (e) {
        if (e instanceof Fail && e.offset !== null) throw new Fail(e.code, e.offset + f.payloadAt, e.message);
        throw e;
      }
      this.lastReceived = Buffer.from(d);
      const expect = { awaiting_hello: 'HELLO', awaiting_response: 'RESPONSE', awaiting_auth_proof: 'AUTH_PROOF', awaiting_final: 'FINAL' }[this.state];
      if (m.type !== expect) fail('unexpected_message', f.payloadAt, 'state');
      this[`on${m.type}`](m, f.payload);
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      this.close(e);
    }
  }
  onHELLO(m, tlv) {
    this.checkTs(m.timestamp);
    if (!sha256(m.node_id, m.nonce).equals(m.commitment)) fail('bad_mac', null, 'commitment');
    if (this.cache.has(m.nonce)) fail('replay', null, 'replay');
    this.cache.add(m.nonce, m.timestamp, this.nowMs(), BigInt(this.side.timestamp_window_ms));
    this.peerId = m.node_id; this.peerNonce = m.nonce; this.helloTlv = Buffer.from(tlv);
    this.nonce = this.rng.take(32);
    this.sessionId = sessionIdOf(this.peerNonce, this.nonce);
    const aad = Buffer.concat([ascii('STT v1 challenge'), prefixedBuf(this.helloTlv)]);
    const [ct, meta] = this.encrypt(Buffer.concat([this.peerNonce, this.nonce]), aad);
    const r = { type: 'RESPONSE', node_id: this.nodeId, nonce: this.nonce, challenge: ct, challenge_metadata: meta, timestamp: this.sendTs() };
    this.responseTlv = serializeMessage(r);
    this.send(r, 1);
    this.state = 'awaiting_auth_proof';
  }
  onRESPONSE(m, tlv) {
    this.checkTs(m.timestamp);
    const aad = Buffer.concat([ascii('STT v1 challenge'), prefixedBuf(this.helloTlv)]);
    const plain = this.decrypt(m.challenge, m.challenge_metadata, aad);
    if (!plain.equals(Buffer.concat([this.nonce, m.nonce]))) fail('bad_credentials', null, 'challenge content');
    this.peerId = m.node_id; this.peerNonce = m.nonce; this.responseTlv = Buffer.from(tlv);
    this.sessionId = sessionIdOf(this.nonce, this.peerNonce);
    const ts = this.sendTs();
    const [ct, meta] = this.encrypt(this.sessionId, this.proofAad(ts));
    this.establish();
    this.send({ type: 'AUTH_PROOF', session_id: this.sessionId, proof: ct, proof_metadata: meta, timestamp: ts }, 2);
    this.state = 'awaiting_final';
  }
  onAUTH_PROOF(m) {
    this.checkTs(m.timestamp);
    if (!m.session_id.equals(this.sessionId)) fail('bad_mac', null, 'session id');
    const plain = this.decrypt(m.proof, m.proof_metadata, this.proofAad(m.timestamp));
    if (!plain.equals(this.sessionId)) fail('bad_credentials', null, 'proof content');
    this.establish();
    this.send({ type: 'FINAL', session_id: this.sessionId, timestamp: this.sendTs() }, 3);
    this.authenticated = true; this.state = 'done';
  }
  onFINAL(m) {
    this.checkTs(m.timestamp);
    if (!m.session_id.equals(this.sessionId)) fail('bad_mac', null, 'session id');
    this.lastSent = null;
    this.authenticated = true; this.state = 'done';
  }
  proofAad(ts) {
    return Buffer.concat([ascii('STT v1 proof'), prefixedBuf(this.helloTlv), prefixedBuf(this.responseTlv), u64be(ts)]);
  }
  establish() {
    this.transcript = sha256(prefixedBuf(this.helloTlv), prefixedBuf(this.responseTlv));
    this.sessionKey = hkdf(this.transcript, this.side.shared_seed, ascii('STT v1 session key'), 32);
    const i2r = hkdfExpand32(this.sessionKey, ascii('STT v1 data initiator to responder'));
    const r2i = hkdfExpand32(this.sessionKey, ascii('STT v1 data responder to initiator'));
    this.dataKeys = { i2r, r2i };
    const sid = Buffer.alloc(8);
    this.sessionId.copy(sid);
    this.channel = new Channel(this.role === 'initiator' ? i2r : r2i, this.role === 'initiator' ? r2i : i2r, sid);
  }
  keys() {
    const k = { handshake_key: hex(this.hsKey) };
    if (this.sessionId.length) k.session_id = hex(this.sessionId);
    if (this.transcript) {
      k.transcript_hash = hex(this.transcript);
      k.session_key = hex(this.sessionKey);
      k.data_key_i2r = hex(this.dataKeys.i2r);
      k.data_key_r2i = hex(this.dataKeys.r2i);
    }
    return k;
  }
}

export class Channel {
  constructor(sendKey, recvKey, sid) { this.sendKey = sendKey; this.recvKey = recvKey; this.sid = sid; this.seq = 0n; this.last = null; }
  seal(pt, stream, ts, rng) {
    const header = { type: 1, flags: 0, session_id: this.sid, sequence: this.seq, timestamp_ms: BigInt(ts), stream_id: stream };
    const nonce = rng.take(24);
    const payload = xseal(this.sendKey, nonce, headerBytes(header), pt);
    const w = serializeFrame({ header, metadata: nonce, payload });
    if (w.length > MAX_DATAGRAM) fail('oversize', null, 'data frame');
    this.seq++;
    return w;
  }
  open(d) {
    const f = parseFrame(d);
    const h = f.headerAt;
    if (f.header.type !== 1) fail('unexpected_message', h, 'type');
    if (f.header.flags !== 0) fail('bad_flags', h + 1, 'flags');
    if (!f.header.session_id.equals(this.sid)) fail('unexpected_message', h + 2, 'session');
    if (f.metadata.length !== 24) fail('bad_length', h + 30, 'metadata');
    const p = xopen(this.recvKey, f.metadata, headerBytes(f.header), f.payload);
    if (!p) fail('bad_mac', f.payloadAt, 'tag');
    if (this.last !== null && f.header.sequence <= this.last) fail('bad_sequence', h + 10, 'sequence');
    this.last = f.header.sequence;
    return { payload: p, stream: f.header.stream_id };
  }
}

// ------------------------------------------------------------------ HandshakeManager
// Per-address responders: only an accepted HELLO creates one; a bound on pending handshakes evicts
// the oldest pending first (completed ones have their own bound); expiry after 10 s.
export class Manager {
  constructor(side, rng, maxPending, maxSessions) {
    this.side = side; this.rng = rng; this.maxPending = maxPending; this.maxSessions = maxSessions;
    this.cache = new NonceCache();
    this.entries = new Map(); // address -> {peer, created}
    this.order = [];          // addresses, oldest first
  }
  pending() { let n = 0; for (const e of this.entries.values()) if (!e.peer.authenticated) n++; return n; }
  erase(addr) { this.entries.delete(addr); this.order = this.order.filter((a) => a !== addr); }
  insert(addr, peer) {
    const ev = { evicted: false };
    if (this.entries.has(addr)) this.erase(addr);
    const pendingFull = this.pending() >= this.maxPending;
    const totalFull = this.entries.size >= this.maxPending + this.maxSessions;
    if (pendingFull || totalFull) {
      const victim = this.order.find((a) => totalFull || !this.entries.get(a).peer.authenticated);
      if (victim !== undefined) { this.erase(victim); ev.evicted = true; }
    }
    this.order.push(addr);
    this.entries.set(addr, { peer, created: this.side.now });
    return ev.evicted;
  }
  receive(addr, d) {
    const ev = { created: false, evicted: false, completed: false, failure: null, replies: [] };
    const e = this.entries.get(addr);
    if (!e) {
      const probe = new Peer('responder', this.side, this.rng, this.cache);
      probe.start();
      probe.receive(d);
      if (probe.closure) { ev.failure = { error: probe.closure.error, offset: probe.closure.offset }; return ev; }
      ev.replies = probe.takeOutput();
      ev.created = true;
      ev.evicted = this.insert(addr, probe);
      return ev;
    }
    const was = e.peer.authenticated;
    e.peer.receive(d);
    ev.replies = e.peer.takeOutput();
    ev.completed = !was && e.peer.authenticated;
    if (e.peer.closure) {
      ev.failure = { error: e.peer.closure.error, offset: e.peer.closure.offset };
      if (!was) this.erase(addr);
    }
    return ev;
  }
  expire(timeoutMs = 10000) {
    let n = 0;
    for (const [addr, e] of [...this.entries]) {
      if (!e.peer.authenticated && (this.side.now - e.created) * 1000 >= timeoutMs) { this.erase(addr); n++; }
    }
    return n;
  }
  isComplete(addr) { const e = this.entries.get(addr); return !!e && e.peer.authenticated; }
  sessionId(addr) { return this.isComplete(addr) ? this.entries.get(addr).peer.sessionId : null; }
}
