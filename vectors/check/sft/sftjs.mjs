// An independent, deliberately small SFT implementation for checking vectors: node:crypto
// (OpenSSL) for X25519, Ed25519, PBKDF2, AES-GCM, HMAC, SHA-256, ChaCha20; its own codecs, its
// own Python-style JSON, its own receive-side rules. Written from docs/protocols/sft.md; shares
// no code with the C++ reference.
import crypto from 'node:crypto';

export class Reject extends Error {
  constructor(error, offset = null, why = '') {
    super(`${error}${offset === null ? '' : ' @' + offset}${why ? ' (' + why + ')' : ''}`);
    this.error = error;
    this.offset = offset;
  }
}
const rej = (e, o = null, why = '') => { throw new Reject(e, o, why); };

export const hex = (b) => Buffer.from(b).toString('hex');
export const unhex = (s) => Buffer.from(s, 'hex');
const sha256 = (b) => crypto.createHash('sha256').update(b).digest();

// ---- primitives ------------------------------------------------------------------------------
const X_PK8 = unhex('302e020100300506032b656e04220420');
const X_SPKI = unhex('302a300506032b656e032100');
const E_PK8 = unhex('302e020100300506032b657004220420');
const E_SPKI = unhex('302a300506032b6570032100');

export function x25519Public(secret) {
  const k = crypto.createPrivateKey({ key: Buffer.concat([X_PK8, secret]), format: 'der', type: 'pkcs8' });
  return crypto.createPublicKey(k).export({ format: 'der', type: 'spki' }).subarray(12);
}
// OpenSSL refuses an all-zero result: that is the weak-key rule.
export function x25519(secret, pub) {
  if (pub.length !== 32) rej('bad_length');
  const k = crypto.createPrivateKey({ key: Buffer.concat([X_PK8, secret]), format: 'der', type: 'pkcs8' });
  const p = crypto.createPublicKey({ key: Buffer.concat([X_SPKI, pub]), format: 'der', type: 'spki' });
  try {
    return crypto.diffieHellman({ privateKey: k, publicKey: p });
  } catch {
    return rej('weak_key');
  }
}
export function edPublic(seed) {
  const k = crypto.createPrivateKey({ key: Buffer.concat([E_PK8, seed]), format: 'der', type: 'pkcs8' });
  return crypto.createPublicKey(k).export({ format: 'der', type: 'spki' }).subarray(12);
}
export function edSign(seed, msg) {
  const k = crypto.createPrivateKey({ key: Buffer.concat([E_PK8, seed]), format: 'der', type: 'pkcs8' });
  return crypto.sign(null, msg, k);
}
export function edVerify(pub, msg, sig) {
  if (pub.length !== 32 || sig.length !== 64) return false;
  try {
    const p = crypto.createPublicKey({ key: Buffer.concat([E_SPKI, pub]), format: 'der', type: 'spki' });
    return crypto.verify(null, msg, p, sig);
  } catch {
    return false;
  }
}
const kdfCache = new Map();
export function pbkdf2(ss, salt) {
  const id = hex(ss) + '/' + hex(salt);
  if (!kdfCache.has(id)) kdfCache.set(id, crypto.pbkdf2Sync(ss, salt, 600000, 64, 'sha256'));
  return kdfCache.get(id);
}
export function gcmSeal(key, nonce, aad, pt) {
  const c = crypto.createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(pt), c.final()]);
  return { ct, tag: c.getAuthTag() };
}
export function gcmOpen(key, nonce, aad, ct, tag) {
  try {
    const d = crypto.createDecipheriv('aes-256-gcm', key, nonce);
    d.setAAD(aad);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]);
  } catch {
    return null;
  }
}
// Draw k of a side's nonce stream: ChaCha20-IETF keystream under the seed, nonce = k (u64 LE).
export function nonceDraw(seed, k) {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64LE(BigInt(k), 4);
  return crypto.createCipheriv('chacha20', seed, iv).update(Buffer.alloc(12));
}

// ---- key schedule ----------------------------------------------------------------------------
export const SALT_V2 = Buffer.from('secure_transfer_v2_ecdh');
export const salt = (prof, serverEph, clientEph) =>
  prof === 'described' ? Buffer.concat([serverEph, clientEph]) : SALT_V2;
export const transcript = (prof, clientEph, serverEph, serverId) =>
  prof === 'described' ? Buffer.concat([serverEph, serverId, clientEph]) : Buffer.concat([clientEph, serverEph]);
export function sessionKeys(prof, ss, serverEph, clientEph) {
  const dk = pbkdf2(ss, salt(prof, serverEph, clientEph));
  const hmacKey = dk.subarray(0, 32);
  const aesKey = dk.subarray(32, 64);
  const d = sha256(aesKey);
  const keyId = prof === 'described' ? d.subarray(0, 16) : Buffer.from(d.toString('hex').slice(0, 16), 'ascii');
  return { ss, hmacKey, aesKey, keyId };
}
export function confirm(aesKey, nonce) {
  const { ct, tag } = gcmSeal(aesKey, nonce, Buffer.alloc(0), Buffer.from('AUTH_OK'));
  return Buffer.concat([u32(35), nonce, tag, ct]);
}
export const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };
export const field = (b) => Buffer.concat([u32(b.length), b]);

// ---- codecs ----------------------------------------------------------------------------------
function fields(b, sizes) {
  const out = [];
  let i = 0;
  for (const want of sizes) {
    if (b.length - i < 4) rej('truncated', b.length);
    const len = b.readUInt32BE(i);
    if (len !== want) rej('bad_length', i);
    i += 4;
    if (b.length - i < len) rej('truncated', b.length);
    out.push(b.subarray(i, i + len));
    i += len;
  }
  if (i !== b.length) rej('trailing_bytes', i);
  return out;
}
function fixed(b, sizes) {
  const total = sizes.reduce((a, x) => a + x, 0);
  if (b.length < total) rej('truncated', b.length);
  if (b.length > total) rej('trailing_bytes', total);
  const out = [];
  let i = 0;
  for (const s of sizes) { out.push(b.subarray(i, i + s)); i += s; }
  return out;
}
export const parseH1 = (b) => { const [e] = fields(b, [32]); return { client_eph: hex(e) }; };
export const parseH2 = (b) => { const [e, id, s] = fields(b, [32, 32, 64]); return { server_eph: hex(e), server_id: hex(id), sig: hex(s) }; };
export const parseConfirm = (b) => {
  const [p] = fields(b, [35]);
  return { nonce: hex(p.subarray(0, 12)), tag: hex(p.subarray(12, 28)), ciphertext: hex(p.subarray(28)) };
};
export const parseD1 = (b) => { const [e, id] = fixed(b, [32, 32]); return { server_eph: hex(e), server_id: hex(id) }; };
export const parseD2 = (b) => { const [e, s] = fixed(b, [32, 64]); return { client_eph: hex(e), sig: hex(s) }; };

export const MAX_PACKET = 10485760;
export function parseHeader(b) {
  if (b.length < 65) rej('truncated', b.length);
  if (b.length > 65) rej('trailing_bytes', 65);
  if (b.subarray(0, 4).toString('latin1') !== 'SFTP') rej('decode_error', 0, 'V8 magic');
  const h = {
    version: b.readUInt32BE(4), payload_type: b[8], offset: b.readBigUInt64BE(9).toString(),
    payload_len: b.readUInt32BE(17), key_id: hex(b.subarray(21, 37)), nonce: hex(b.subarray(37, 49)), tag: hex(b.subarray(49, 65)),
  };
  if (h.payload_len === 0) rej('bad_length', 17, 'V9 zero');
  if (h.payload_len > MAX_PACKET) rej('oversize', 17, 'V9');
  return h;
}
const utf8ok = (b) => { try { new TextDecoder('utf-8', { fatal: true }).decode(b); return true; } catch { return false; } };
// V10..V13 on a complete record.
export function openRecord(key, prof, rec) {
  if (rec.length < 65) rej('truncated', rec.length);
  const h = parseHeader(rec.subarray(0, 65));
  const rest = rec.length - 65;
  if (rest < h.payload_len) rej('truncated', rec.length);
  if (rest > h.payload_len) rej('trailing_bytes', 65 + h.payload_len);
  if (h.version !== 2) rej('wrong_version', 4);
  const kid = rec.subarray(21, 37);
  if (prof === 'upstream-v2') {
    let n = 16;
    while (n > 0 && kid[n - 1] === 0) n--;
    if (!utf8ok(kid.subarray(0, n))) rej('decode_error', 21, 'V11 utf-8');
    if (!kid.subarray(0, n).equals(key.keyId)) rej('bad_credentials', 21);
  } else if (!kid.equals(key.keyId)) rej('bad_credentials', 21);
  const pt = gcmOpen(key.aesKey, rec.subarray(37, 49), rec.subarray(0, 49), rec.subarray(65), rec.subarray(49, 65));
  if (pt === null) rej('bad_mac', 49);
  if (h.payload_type !== 1 && h.payload_type !== 2) rej('unknown_type', 8);
  return { header: h, plaintext: pt };
}
export function sealRecord(key, type, offset, nonce, pt) {
  const h = Buffer.alloc(65);
  h.write('SFTP', 0, 'latin1');
  h.writeUInt32BE(2, 4);
  h[8] = type;
  h.writeBigUInt64BE(BigInt(offset), 9);
  h.writeUInt32BE(pt.length, 17);
  key.keyId.copy(h, 21);
  nonce.copy(h, 37);
  const { ct, tag } = gcmSeal(key.aesKey, nonce, h.subarray(0, 49), pt);
  tag.copy(h, 49);
  return Buffer.concat([h, ct]);
}

// ---- JSON as Python writes it ----------------------------------------------------------------
// Values: {k:'null'|'bool'|'int'|'float'|'str'|'arr'|'obj', v}; objects keep [key, value] pairs.
function utf8At(s, i) {
  const c = s[i];
  if (c < 0x80) return [c, 1];
  let n, cp, min;
  if ((c & 0xe0) === 0xc0) { n = 1; cp = c & 0x1f; min = 0x80; }
  else if ((c & 0xf0) === 0xe0) { n = 2; cp = c & 0x0f; min = 0x800; }
  else if ((c & 0xf8) === 0xf0) { n = 3; cp = c & 0x07; min = 0x10000; }
  else return null;
  if (s.length - i <= n) return null;
  for (let k = 1; k <= n; k++) {
    if ((s[i + k] & 0xc0) !== 0x80) return null;
    cp = (cp << 6) | (s[i + k] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
  return [cp, n + 1];
}
export function validUtf8(b) {
  for (let i = 0; i < b.length;) { const r = utf8At(b, i); if (!r) return false; i += r[1]; }
  return true;
}
export function parseJson(b) {
  let i = 0;
  const ws = () => { while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++; };
  const isDigit = (k) => k < b.length && b[k] >= 0x30 && b[k] <= 0x39;
  const lit = (w) => { if (b.length - i < w.length || b.subarray(i, i + w.length).toString('latin1') !== w) return false; i += w.length; return true; };
  const hex4 = () => {
    if (b.length - i < 4) rej('truncated', i);
    let u = 0;
    for (let k = 0; k < 4; k++) {
      const d = parseInt(String.fromCharCode(b[i + k]), 16);
      if (Number.isNaN(d)) rej('decode_error', i + k);
      u = u * 16 + d;
    }
    i += 4;
    return u;
  };
  const str = () => {
    i++;
    let out = '';
    for (;;) {
      if (i >= b.length) rej('truncated', i);
      const c = b[i];
      if (c === 0x22) { i++; return out; }
      if (c < 0x20) rej('decode_error', i);
      if (c === 0x5c) {
        i++;
        if (i >= b.length) rej('truncated', i);
        const e = String.fromCharCode(b[i]);
        i++;
        const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) { out += simple[e]; continue; }
        if (e !== 'u') rej('decode_error', i - 2);
        const at = i - 2;
        let u = hex4();
        if (u >= 0xdc00 && u <= 0xdfff) rej('decode_error', at);
        if (u >= 0xd800 && u <= 0xdbff) {
          if (b.length - i < 2 || b[i] !== 0x5c || b[i + 1] !== 0x75) rej('decode_error', at);
          i += 2;
          const lo = hex4();
          if (lo < 0xdc00 || lo > 0xdfff) rej('decode_error', at);
          u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        }
        out += String.fromCodePoint(u);
        continue;
      }
      const r = utf8At(b, i);
      if (!r) rej('decode_error', i);
      out += String.fromCodePoint(r[0]);
      i += r[1];
    }
  };
  const num = () => {
    const start = i;
    if (b[i] === 0x2d) i++;
    if (!isDigit(i)) rej('decode_error', i);
    if (b[i] === 0x30) i++; else while (isDigit(i)) i++;
    let isFloat = false;
    if (i < b.length && b[i] === 0x2e) { i++; if (!isDigit(i)) rej('decode_error', i); while (isDigit(i)) i++; isFloat = true; }
    if (i < b.length && (b[i] === 0x65 || b[i] === 0x45)) {
      i++;
      if (i < b.length && (b[i] === 0x2b || b[i] === 0x2d)) i++;
      if (!isDigit(i)) rej('decode_error', i);
      while (isDigit(i)) i++;
      isFloat = true;
    }
    const text = b.subarray(start, i).toString('latin1');
    if (isFloat) {
      const v = Number(text);
      if (!Number.isFinite(v)) rej('decode_error', start);
      return { k: 'float', v };
    }
    const v = BigInt(text);
    if (v > 9223372036854775807n || v < -9223372036854775808n) rej('decode_error', start);
    return { k: 'int', v };
  };
  const value = (depth) => {
    if (depth > 32) rej('bad_length', i);
    if (i >= b.length) rej('truncated', i);
    const c = b[i];
    if (c === 0x7b) {
      i++;
      const v = [];
      ws();
      if (i < b.length && b[i] === 0x7d) { i++; return { k: 'obj', v }; }
      for (;;) {
        ws();
        if (i >= b.length) rej('truncated', i);
        if (b[i] !== 0x22) rej('decode_error', i);
        const at = i;
        const key = str();
        if (v.some(([k2]) => k2 === key)) rej('decode_error', at, 'duplicate key');
        ws();
        if (i >= b.length || b[i] !== 0x3a) rej('decode_error', i);
        i++;
        ws();
        v.push([key, value(depth + 1)]);
        ws();
        if (i >= b.length) rej('truncated', i);
        if (b[i] === 0x2c) { i++; continue; }
        if (b[i] === 0x7d) { i++; return { k: 'obj', v }; }
        rej('decode_error', i);
      }
    }
    if (c === 0x5b) {
      i++;
      const v = [];
      ws();
      if (i < b.length && b[i] === 0x5d) { i++; return { k: 'arr', v }; }
      for (;;) {
        ws();
        v.push(value(depth + 1));
        ws();
        if (i >= b.length) rej('truncated', i);
        if (b[i] === 0x2c) { i++; continue; }
        if (b[i] === 0x5d) { i++; return { k: 'arr', v }; }
        rej('decode_error', i);
      }
    }
    if (c === 0x22) return { k: 'str', v: str() };
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return num();
    if (lit('true')) return { k: 'bool', v: true };
    if (lit('false')) return { k: 'bool', v: false };
    if (lit('null')) return { k: 'null' };
    return rej('decode_error', i);
  };
  ws();
  const v = value(0);
  ws();
  if (i !== b.length) rej('trailing_bytes', i);
  return v;
}
export function pyQuote(s) {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const u = s.charCodeAt(k);
    const ch = s[k];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (u >= 0x20 && u <= 0x7e) out += ch;
    else out += '\\u' + u.toString(16).padStart(4, '0');
  }
  return out + '"';
}
const byCodePoint = (a, b) => {
  const x = Array.from(a).map((c) => c.codePointAt(0));
  const y = Array.from(b).map((c) => c.codePointAt(0));
  for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) return x[k] - y[k];
  return x.length - y.length;
};
// repr(float): shortest round-trip digits; positional for decimal exponents in [-4, 16).
export function pyFloat(d) {
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const neg = d < 0;
  const [m, e] = Math.abs(d).toExponential().split('e');
  const exp = Number(e);
  const digits = m.replace('.', '');
  let out;
  if (exp < -4 || exp >= 16) {
    out = digits[0] + (digits.length > 1 ? '.' + digits.slice(1) : '') + 'e' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  } else if (exp >= 0) {
    const ip = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    out = ip + '.' + (digits.length > exp + 1 ? digits.slice(exp + 1) : '0');
  } else out = '0.' + '0'.repeat(-exp - 1) + digits;
  return (neg ? '-' : '') + out;
}
export function pyDumps(v, sort = false) {
  switch (v.k) {
    case 'null': return 'null';
    case 'bool': return v.v ? 'true' : 'false';
    case 'int': return v.v.toString();
    case 'float': return pyFloat(v.v);
    case 'str': return pyQuote(v.v);
    case 'arr': return '[' + v.v.map((x) => pyDumps(x, sort)).join(', ') + ']';
    case 'obj': {
      const m = sort ? [...v.v].sort((a, b) => byCodePoint(a[0], b[0])) : v.v;
      return '{' + m.map(([k, x]) => pyQuote(k) + ': ' + pyDumps(x, sort)).join(', ') + '}';
    }
  }
  throw new Error('bad value');
}
const get = (obj, key) => obj.v.find(([k]) => k === key)?.[1];

// ---- envelope and payloads -------------------------------------------------------------------
export const TYPES = ['key_rotation', 'ping', 'pong', 'auth', 'file_header', 'file_resume_ack', 'file_complete',
  'file_ack', 'list_files_request', 'list_files_response', 'download_file_request'];
export function parseEnvelope(pt, acceptFloatSeq = false) {
  if (!validUtf8(pt)) rej('decode_error', 0);
  const v = parseJson(pt);
  if (v.k !== 'obj') rej('decode_error', 0);
  for (const [k] of v.v) if (!['type', 'version', 'timestamp', 'payload', 'seq', 'signature'].includes(k)) rej('decode_error');
  const type = get(v, 'type');
  if (!type || type.k !== 'str') rej('decode_error');
  if (!TYPES.includes(type.v)) rej('unknown_type');
  for (const k of ['version', 'timestamp']) { const x = get(v, k); if (!x || x.k !== 'str') rej('decode_error'); }
  const payload = get(v, 'payload');
  if (!payload || payload.k !== 'obj') rej('decode_error');
  const seq = get(v, 'seq');
  if (!seq) rej('decode_error');
  let n;
  if (seq.k === 'int') n = seq.v;
  else if (seq.k === 'float' && Number.isInteger(seq.v) && Math.abs(seq.v) < 1e15) {
    if (!acceptFloatSeq) rej('bad_sequence');
    n = BigInt(seq.v);
  } else rej('decode_error');
  const sig = get(v, 'signature');
  if (sig && sig.k !== 'str') rej('decode_error');
  return { value: v, type: type.v, timestamp: get(v, 'timestamp').v, payload, seq: n, signature: sig ? sig.v : null };
}
export const hmacInput = (env) => pyDumps({ k: 'obj', v: env.value.v.filter(([k]) => k !== 'signature') }, true);
export function checkSignature(env, hmacKey, allowAbsent) {
  if (env.signature === null) { if (allowAbsent) return; rej('bad_mac', null, 'missing'); }
  if (!/^[0-9a-f]{64}$/.test(env.signature)) rej('decode_error');
  const want = crypto.createHmac('sha256', hmacKey).update(Buffer.from(hmacInput(env), 'utf8')).digest('hex');
  if (want !== env.signature) rej('bad_mac');
}
function daysFromCivil(y, m, d) {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
export function naiveMicros(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{6})?$/.exec(s);
  if (!m || (s.length !== 19 && s.length !== 26)) rej('decode_error');
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
  const dim = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > dim[mo - 1] || h > 23 || mi > 59 || se > 59) rej('decode_error');
  const us = m[7] ? Number(m[7].slice(1)) : 0;
  return BigInt(daysFromCivil(y, mo, d)) * 86400000000n + BigInt(((h * 60 + mi) * 60 + se)) * 1000000n + BigInt(us);
}
export function checkTimestamp(ts, nowUnix, offset = 0) {
  const t = naiveMicros(ts);
  const now = BigInt(nowUnix + offset) * 1000000n;
  if (t < now - 300000000n) rej('stale_timestamp');
  if (t > now + 300000000n) rej('future_timestamp');
}
export function formatLocal(unix) {
  return new Date(unix * 1000).toISOString().slice(0, 19);
}
const only = (o, keys) => { if (o.k !== 'obj') rej('decode_error'); for (const [k] of o.v) if (!keys.includes(k)) rej('decode_error'); };
const pstr = (o, k) => { const x = get(o, k); if (!x || x.k !== 'str') rej('decode_error'); return x.v; };
const psize = (o, k) => { const x = get(o, k); if (!x || x.k !== 'int') rej('decode_error'); if (x.v < 0n) rej('bad_length'); return x.v; };
export function checkPayload(type, p) {
  switch (type) {
    case 'key_rotation': case 'auth': if (p.k !== 'obj') rej('decode_error'); return {};
    case 'ping': case 'pong': case 'list_files_request': only(p, []); return {};
    case 'file_header': {
      only(p, ['filename', 'total_size', 'hash', 'timestamp']);
      const r = { filename: pstr(p, 'filename'), total_size: psize(p, 'total_size'), hash: pstr(p, 'hash'), timestamp: pstr(p, 'timestamp') };
      if (!/^[0-9a-f]{64}$/.test(r.hash)) rej('decode_error');
      return r;
    }
    case 'file_resume_ack': only(p, ['filename', 'offset']); return { filename: pstr(p, 'filename'), offset: psize(p, 'offset') };
    case 'file_complete': {
      only(p, ['filename', 'total_size', 'error']);
      const r = { filename: pstr(p, 'filename') };
      if (!!get(p, 'total_size') === !!get(p, 'error')) rej('decode_error');
      if (get(p, 'total_size')) r.total_size = psize(p, 'total_size'); else r.error = pstr(p, 'error');
      return r;
    }
    case 'file_ack': {
      only(p, ['filename', 'error']);
      const r = {};
      if (get(p, 'filename')) r.filename = pstr(p, 'filename');
      if (get(p, 'error')) r.error = pstr(p, 'error');
      if (!('filename' in r) && !('error' in r)) rej('decode_error');
      return r;
    }
    case 'list_files_response': {
      only(p, ['files', 'error']);
      const f = get(p, 'files');
      if (!f || f.k !== 'arr') rej('decode_error');
      for (const e of f.v) { only(e, ['name', 'size']); pstr(e, 'name'); psize(e, 'size'); }
      if (get(p, 'error')) pstr(p, 'error');
      return {};
    }
    case 'download_file_request': only(p, ['filename']); return { filename: pstr(p, 'filename') };
  }
  return rej('decode_error');
}
