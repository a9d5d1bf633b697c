// HiveMind protocol pieces and both roles, written from docs/protocols/hivemind.md with
// node:crypto and node:zlib; shares no code with the C++ reference.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { HmError, fail, encode, decode, ENCODINGS } from './codecs.mjs';
import { parseJson, dumpJson, J, find, set, checkUtf8 } from './json.mjs';

export const sha256 = (...parts) => { const h = crypto.createHash('sha256'); parts.forEach((p) => h.update(p)); return h.digest(); };
const hashOf = (name, ...parts) => { const h = crypto.createHash(name); parts.forEach((p) => h.update(p)); return h.digest(); };

// ---- HiveMessage ------------------------------------------------------------------------
const KEYS = ['msg_type', 'payload', 'metadata', 'route', 'node', 'target_site_id', 'target_pubkey', 'source_peer'];
export function newMessage(type, payload = J.obj([])) {
  return { msg_type: type, payload, metadata: J.obj([]), route: J.arr([]), node: J.nul(), target_site_id: J.nul(), target_pubkey: J.nul(), source_peer: J.nul() };
}
export function serializeMessage(m) {
  return dumpJson(J.obj(KEYS.map((k) => [k, k === 'msg_type' ? J.str(m.msg_type) : m[k]])));
}
export function messageFromJson(j) {
  if (j.k !== 'obj') fail('wrong_type', j.off);
  const m = newMessage(null);
  let haveType = false;
  for (const { key, value: v, keyAt } of j.members) {
    if (key === 'msg_type') { if (v.k !== 'str') fail('wrong_type', v.off); m.msg_type = v.v; haveType = true; }
    else if (key === 'payload' || key === 'metadata') { if (v.k !== 'obj') fail('wrong_type', v.off); m[key] = v; }
    else if (key === 'route') { if (v.k !== 'arr') fail('wrong_type', v.off); m.route = v; }
    else if (KEYS.includes(key)) { if (v.k !== 'str' && v.k !== 'null') fail('wrong_type', v.off); m[key] = v; }
    else fail('unknown_type', keyAt);
  }
  if (!haveType) fail('decode_error', j.off);
  return m;
}
export const parseMessage = (bytes) => messageFromJson(parseJson(bytes));

// Payload field readers: a missing required field is decode_error at the payload's offset.
const optStr = (o, k) => { const v = find(o, k); if (v === undefined) return undefined; if (v.k !== 'str') fail('wrong_type', v.off); return v.v; };
const reqStr = (o, k) => { const v = optStr(o, k); if (v === undefined) fail('decode_error', o.off); return v; };
const optBool = (o, k, d) => { const v = find(o, k); if (v === undefined) return d; if (v.k !== 'bool') fail('wrong_type', v.off); return v.v; };
const optInt = (o, k, d) => { const v = find(o, k); if (v === undefined) return d; if (v.k !== 'int') fail('wrong_type', v.off); return v.v; };
const optList = (o, k, d) => {
  const v = find(o, k);
  if (v === undefined) return d;
  if (v.k !== 'arr') fail('wrong_type', v.off);
  return v.items.map((i) => { if (i.k !== 'str') fail('wrong_type', i.off); return i.v; });
};
const needObj = (p) => { if (p.k !== 'obj') fail('wrong_type', p.off); };
export function readServerHello(p) { needObj(p); return { pubkey: reqStr(p, 'pubkey'), peer: optStr(p, 'peer'), node_id: reqStr(p, 'node_id') }; }
export function readParams(p) {
  needObj(p);
  return {
    handshake: optBool(p, 'handshake', false), min: optInt(p, 'min_protocol_version', 0n), max: optInt(p, 'max_protocol_version', 0n),
    binarize: optBool(p, 'binarize', false), preshared_key: optBool(p, 'preshared_key', false), password: optBool(p, 'password', false),
    crypto_required: optBool(p, 'crypto_required', false), encodings: optList(p, 'encodings', ['JSON-HEX']), ciphers: optList(p, 'ciphers', ['AES-GCM']),
  };
}
export function readOffer(p) {
  needObj(p);
  const o = { binarize: optBool(p, 'binarize', false), encodings: optList(p, 'encodings', ['JSON-HEX']), ciphers: optList(p, 'ciphers', ['AES-GCM']),
    envelope: optStr(p, 'envelope'), pubkey: optStr(p, 'pubkey') };
  if ((o.envelope !== undefined) === (o.pubkey !== undefined)) fail('decode_error', p.off);
  return o;
}
export function readChoice(p) { needObj(p); return { envelope: reqStr(p, 'envelope'), encoding: optStr(p, 'encoding'), cipher: optStr(p, 'cipher') }; }
export function readClientHello(p) {
  needObj(p);
  reqStr(p, 'pubkey');
  const s = find(p, 'session');
  if (s !== undefined && s.k !== 'obj') fail('wrong_type', s.off);
  reqStr(p, 'site_id');
}
const strList = (l) => J.arr(l.map(J.str));

// ---- Authorization ------------------------------------------------------------------------
export function parseAuthorization(value) {
  const raw = decode('JSON-B64', value);
  checkUtf8(raw);
  const text = raw.toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) fail('decode_error', value.length);
  return { useragent: text.slice(0, i), accessKey: text.slice(i + 1) };
}

// ---- Binarized frames ---------------------------------------------------------------------
export const TYPE_NAMES = ['shake', 'bus', 'shared_bus', 'broadcast', 'propagate', 'escalate', 'hello', 'query', 'cascade', 'ping', 'rendezvous', '3rdparty', 'bin'];
export const MAX_INFLATED = 1 << 20;
function inflateBounded(data, at) {
  let r;
  try {
    r = zlib.inflateSync(data, { info: true, maxOutputLength: MAX_INFLATED });
  } catch (e) {
    if (e.code === 'ERR_BUFFER_TOO_LARGE') fail('oversize', at);
    if (e.code === 'Z_BUF_ERROR') fail('truncated', at);
    fail('decode_error', at);
  }
  if (r.engine.bytesWritten < data.length) fail('trailing_bytes', at + r.engine.bytesWritten);
  return r.buffer;
}
export function parseFrame(wire) {
  wire = Buffer.from(wire);
  if (wire.length === 0) fail('truncated', 0);
  if (wire[0] === 0) fail('decode_error', 0);
  const bits = [...wire].map((b) => b.toString(2).padStart(8, '0')).join('');
  const leading = bits.indexOf('1');
  let pos = leading + 1;
  const get = (n) => { if (bits.length - pos < n) fail('truncated', wire.length); const v = parseInt(bits.slice(pos, pos + n), 2); pos += n; return v; };
  const getBytes = (n) => { if (Math.floor((bits.length - pos) / 8) < n) fail('truncated', wire.length); const out = []; for (let i = 0; i < n; i++) out.push(get(8)); return Buffer.from(out); };
  const f = { version: null, binaryType: null };
  let header = 16;
  if (get(1)) { f.version = get(8); header += 8; }
  const typeAt = Math.floor(pos / 8);
  f.type = get(5);
  if (f.type >= 13) fail('unknown_type', typeAt);
  f.compressed = get(1) === 1;
  const metaLen = get(8);
  const metaAt = Math.floor(pos / 8);
  const meta = getBytes(metaLen);
  header += 8 * metaLen;
  if (f.type === 12) { f.binaryType = get(4); header += 4; }
  if ((leading + header) % 8) fail('bad_padding', 0);
  let metaJson;
  try { metaJson = parseJson(meta); } catch (e) { if (e instanceof HmError) fail(e.code, e.offset + metaAt); throw e; }
  if (metaJson.k !== 'obj') fail('wrong_type', metaAt);
  f.metadata = meta.toString('utf8');
  const payloadAt = Math.floor(pos / 8);
  const payload = getBytes(Math.floor((bits.length - pos) / 8));
  f.payload = f.compressed ? inflateBounded(payload, payloadAt) : payload;
  return f;
}
export function serializeFrame(type, metadata, payload) {
  let bits = '1' + '0' + type.toString(2).padStart(5, '0') + '0' + metadata.length.toString(2).padStart(8, '0');
  const bytesBits = (b) => [...b].map((x) => x.toString(2).padStart(8, '0')).join('');
  bits += bytesBits(Buffer.from(metadata)) + bytesBits(payload);
  bits = '0'.repeat((8 - bits.length % 8) % 8) + bits;
  const out = [];
  for (let i = 0; i < bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(out);
}

// ---- Password handshake -------------------------------------------------------------------
export const envelopeOf = (password, iv) => Buffer.concat([iv, sha256(iv, Buffer.from(password, 'utf8'))]).toString('hex').slice(0, 48);
export function verifyEnvelope(env, password, lax = false) {
  if (lax ? env.length < 48 || env.length > 80 : env.length !== 48) fail('bad_length', env.length);
  const ivHex = env.slice(0, 16);
  if (lax) {
    if (ivHex.length % 2) fail('bad_length', ivHex.length);
    for (let i = 0; i < ivHex.length; i++) if (!/[0-9a-fA-F]/.test(ivHex[i])) fail('decode_error', i);
  } else {
    decode('JSON-HEX', ivHex);
    decode('JSON-HEX', env);
  }
  const iv = Buffer.from(ivHex, 'hex');
  if (envelopeOf(password, iv) !== env.slice(0, 48)) fail('bad_credentials', 16);
  return iv;
}
const pbkdfCache = new Map();
export function passwordKey(password, salt) {
  const id = password + '|' + salt.toString('hex');
  if (!pbkdfCache.has(id)) pbkdfCache.set(id, crypto.pbkdf2Sync(Buffer.from(password, 'utf8'), salt, 100000, 32, 'sha256'));
  return pbkdfCache.get(id);
}

// ---- RSA ------------------------------------------------------------------------------------
export function rsaParams(key) {
  const jwk = crypto.createPublicKey(key).export({ format: 'jwk' });
  const big = (s) => BigInt('0x' + Buffer.from(s, 'base64url').toString('hex'));
  return { n: big(jwk.n), e: big(jwk.e) };
}
export const publicPem = (pem) => crypto.createPublicKey(pem).export({ type: 'spki', format: 'pem' });
const modBytes = (key) => Math.ceil(rsaParams(key).n.toString(2).length / 8);
function mgf1(hash, seed, len) {
  const out = [];
  for (let c = 0; Buffer.concat(out).length < len; c++) { const cb = Buffer.alloc(4); cb.writeUInt32BE(c); out.push(hashOf(hash, seed, cb)); }
  return Buffer.concat(out).subarray(0, len);
}
const xor = (a, b) => Buffer.from(a.map((x, i) => x ^ b[i]));
export function oaepEncrypt(pubPem, message, seed, hash = 'sha1', label = Buffer.alloc(0)) {
  const k = modBytes(pubPem);
  const h = hashOf(hash, Buffer.alloc(0)).length;
  const db = Buffer.concat([hashOf(hash, label), Buffer.alloc(k - message.length - 2 * h - 2), Buffer.from([1]), message]);
  const maskedDb = xor(db, mgf1(hash, seed, db.length));
  const maskedSeed = xor(seed, mgf1(hash, maskedDb, h));
  const em = Buffer.concat([Buffer.from([0]), maskedSeed, maskedDb]);
  return crypto.publicEncrypt({ key: pubPem, padding: crypto.constants.RSA_NO_PADDING }, em);
}
export function pssSign(privPem, message, salt) {
  const bits = rsaParams(privPem).n.toString(2).length;
  const emBits = bits - 1;
  const emLen = Math.ceil(emBits / 8);
  const mh = sha256(message);
  const H = sha256(Buffer.alloc(8), mh, salt);
  const db = Buffer.concat([Buffer.alloc(emLen - 32 - 32 - 2), Buffer.from([1]), salt]);
  const masked = xor(db, mgf1('sha256', H, db.length));
  masked[0] &= 0xff >> (8 * emLen - emBits);
  let em = Buffer.concat([masked, H, Buffer.from([0xbc])]);
  em = Buffer.concat([Buffer.alloc(Math.ceil(bits / 8) - em.length), em]);
  return crypto.privateDecrypt({ key: privPem, padding: crypto.constants.RSA_NO_PADDING }, em);
}
export function openRsaEnvelope(env, signerPem, recipientPem, ignoreSignature = false) {
  const sigLen = modBytes(signerPem);
  const ctLen = modBytes(recipientPem);
  if (env.length !== 2 * (sigLen + ctLen)) fail('bad_length', env.length);
  const raw = decode('JSON-HEX', env);
  const sig = raw.subarray(0, sigLen);
  const ct = raw.subarray(sigLen);
  const ok = crypto.verify('sha256', ct, { key: signerPem, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig);
  if (!ok && !ignoreSignature) fail('bad_signature', 0);
  let secret;
  try {
    secret = crypto.privateDecrypt({ key: recipientPem, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, ct);
  } catch { fail('crypto_failure', 2 * sigLen); }
  if (secret.length !== 32) fail('bad_length', 2 * sigLen);
  return secret;
}
const SMALL_PRIMES = (() => { const p = []; for (let i = 2; i < 10000; i++) if (p.every((q) => i % q)) p.push(i); return p; })();
export function checkStrength(pem) {
  const { n, e } = rsaParams(pem);
  if (n.toString(2).length < 2048) fail('weak_key');
  if (e % 2n === 0n || e < 65537n) fail('weak_key');
  if (SMALL_PRIMES.some((p) => n % BigInt(p) === 0n)) fail('weak_key');
}

// ---- Channel --------------------------------------------------------------------------------
export const nonceSize = (cipher) => (cipher === 'AES-GCM' ? 16 : 12);
function algo(cipher, key) { return cipher === 'AES-GCM' ? `aes-${key.length * 8}-gcm` : 'chacha20-poly1305'; }
export function seal(cipher, key, nonce, plaintext) {
  const c = crypto.createCipheriv(algo(cipher, key), key, nonce, { authTagLength: 16 });
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return { nonce, ct, tag: c.getAuthTag() };
}
export function open(cipher, key, s) {
  if (s.nonce.length !== nonceSize(cipher)) fail('bad_length');
  if (s.tag.length !== 16) fail('bad_length');
  try {
    const d = crypto.createDecipheriv(algo(cipher, key), key, s.nonce, { authTagLength: 16 });
    d.setAuthTag(s.tag);
    return Buffer.concat([d.update(s.ct), d.final()]);
  } catch { fail('bad_mac'); }
}
export function writeJsonFrame(s, enc) {
  return dumpJson(J.obj([['ciphertext', J.str(encode(enc, s.ct))], ['tag', J.str(encode(enc, s.tag))], ['nonce', J.str(encode(enc, s.nonce))]]));
}
export function parseJsonFrame(text, enc) {
  const j = parseJson(text);
  if (j.k !== 'obj') fail('wrong_type', j.off);
  const s = {};
  for (const { key, value, keyAt } of j.members) {
    const field = { ciphertext: 'ct', tag: 'tag', nonce: 'nonce' }[key];
    if (!field) fail('unknown_type', keyAt);
    if (value.k !== 'str') fail('wrong_type', value.off);
    try { s[field] = decode(enc, value.v); } catch (e) { if (e instanceof HmError) fail(e.code, value.off); throw e; }
  }
  const len = Buffer.from(text).length;
  if (!s.ct || !s.nonce) fail('decode_error', len);
  if (!s.tag) {
    if (s.ct.length < 16) fail('truncated', len);
    s.tag = s.ct.subarray(s.ct.length - 16);
    s.ct = s.ct.subarray(0, s.ct.length - 16);
  }
  return s;
}
export function parseBinaryFrame(wire, cipher) {
  const n = nonceSize(cipher);
  if (wire.length < n + 16) fail('truncated', wire.length);
  return { nonce: wire.subarray(0, n), ct: wire.subarray(n, wire.length - 16), tag: wire.subarray(wire.length - 16) };
}

export { ENCODINGS, J, find, set, parseJson, dumpJson, strList, xor };
