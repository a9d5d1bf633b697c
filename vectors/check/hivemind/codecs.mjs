// The seven field encodings, written from docs/protocols/hivemind.md ("Field encodings"), sharing
// nothing with the C++ reference. Decoders throw HmError(code, offset) with the documented rules.
export class HmError extends Error {
  constructor(code, offset = null) {
    super(`${code} at ${offset}`);
    this.code = code;
    this.offset = offset;
  }
}
export const fail = (code, offset = null) => { throw new HmError(code, offset); };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const B91 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,./:;<=>?@[]^_`{|}~"';
export const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

// Text here is a JS string of code units; every alphabet is ASCII, so index = byte offset
// whenever the text is ASCII (the only case where offsets matter to the vectors).
function hexEncode(b) { return Buffer.from(b).toString('hex'); }
function hexDecode(t) {
  if (t.length % 2) fail('bad_length', t.length);
  let upperAt = -1;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (/[0-9a-f]/.test(c)) continue;
    if (/[A-F]/.test(c)) { if (upperAt < 0) upperAt = i; continue; }
    fail('decode_error', i);
  }
  if (upperAt >= 0) fail('non_canonical', upperAt);
  return Buffer.from(t, 'hex');
}

function bitsEncode(data, alpha, bits, quantum) {
  let out = '';
  let acc = 0, n = 0;
  for (const byte of data) {
    acc = (acc << 8) | byte; n += 8;
    while (n >= bits) { n -= bits; out += alpha[(acc >> n) & ((1 << bits) - 1)]; }
    acc &= (1 << n) - 1;
  }
  if (n > 0) out += alpha[(acc << (bits - n)) & ((1 << bits) - 1)];
  while (out.length % quantum) out += '=';
  return out;
}
function bitsDecode(text, alpha, bits, quantum) {
  let body = text;
  let pad = 0;
  while (body.endsWith('=')) { body = body.slice(0, -1); pad++; }
  if (text.length % quantum) fail('bad_length', text.length);
  const out = [];
  let acc = 0, n = 0;
  for (let i = 0; i < body.length; i++) {
    const v = alpha.indexOf(body[i]);
    if (v < 0) fail('decode_error', i);
    acc = (acc << bits) | v; n += bits;
    if (n >= 8) { n -= 8; out.push((acc >> n) & 255); acc &= (1 << n) - 1; }
  }
  const tail = body.length % quantum;
  const wantPad = tail === 0 ? 0 : quantum - tail;
  const tailOk = bits === 6 ? tail !== 1 : [0, 2, 4, 5, 7].includes(tail);
  if (!tailOk || pad !== wantPad) fail('bad_padding', body.length);
  if (acc !== 0) fail('non_canonical', body.length ? body.length - 1 : 0);
  return Buffer.from(out);
}

function b91Encode(data) {
  let out = '';
  let b = 0, n = 0;
  for (const byte of data) {
    b |= byte << n; n += 8;
    if (n > 13) {
      let v = b & 8191;
      if (v > 88) { b >>>= 13; n -= 13; } else { v = b & 16383; b >>>= 14; n -= 14; }
      out += B91[v % 91] + B91[Math.floor(v / 91)];
    }
  }
  if (n) { out += B91[b % 91]; if (n > 7 || b > 90) out += B91[Math.floor(b / 91)]; }
  return out;
}
function b91Decode(text) {
  const out = [];
  let b = 0, n = 0, v = -1;
  for (let i = 0; i < text.length; i++) {
    const d = B91.indexOf(text[i]);
    if (d < 0) fail('decode_error', i);
    if (v < 0) { v = d; continue; }
    v += d * 91;
    b |= v << n;
    n += (v & 8191) > 88 ? 13 : 14;
    do { out.push(b & 255); b >>>= 8; n -= 8; } while (n > 7);
    v = -1;
  }
  if (v >= 0) out.push((b | (v << n)) & 255);
  const buf = Buffer.from(out);
  if (b91Encode(buf) !== text) fail('non_canonical', text.length ? text.length - 1 : 0);
  return buf;
}

function z85Digits(value) {
  const d = [];
  for (let k = 0; k < 5; k++) { d.unshift(Z85[value % 85]); value = Math.floor(value / 85); }
  return d;  // most significant first
}
function z85Group(digitsMsdFirst, offsets) {
  let v = 0;
  for (let k = 0; k < 5; k++) {
    const d = Z85.indexOf(digitsMsdFirst[k]);
    if (d < 0) fail('decode_error', offsets[k]);
    v = v * 85 + d;
  }
  if (v > 0xffffffff) fail('decode_error', offsets[0] < offsets[4] ? offsets[0] : offsets[4]);
  return v;
}
function z85bEncode(data) {
  const pad = (4 - data.length % 4) % 4;
  let out = '';
  for (let i = 0; i < data.length; i += 4) {
    let v = 0;
    for (let j = 3; j >= 0; j--) v = v * 256 + (i + j < data.length ? data[i + j] : 0);
    out += z85Digits(v).reverse().join('');
  }
  return out.slice(0, out.length - pad);
}
function z85bDecode(text) {
  const rem = text.length % 5;
  if (rem === 1) fail('bad_length', text.length);
  const pad = rem === 0 ? 0 : 5 - rem;
  const full = text + '0'.repeat(pad);
  const out = [];
  for (let i = 0; i < full.length; i += 5) {
    const lsdFirst = full.slice(i, i + 5).split('');
    // Offsets of the MSD-first digits: the group's last character comes first.
    const v = z85Group(lsdFirst.slice().reverse(), [i + 4, i + 3, i + 2, i + 1, i]);
    let x = v;
    for (let j = 0; j < 4; j++) { out.push(x % 256); x = Math.floor(x / 256); }
  }
  for (let j = 0; j < pad; j++) {
    if (out[out.length - 1] !== 0) fail('non_canonical', text.length ? text.length - 1 : 0);
    out.pop();
  }
  return Buffer.from(out);
}
function z85pEncode(data) {
  const pad = (4 - data.length % 4) % 4;
  let out = String.fromCharCode(pad);
  for (let i = 0; i < data.length; i += 4) {
    let v = 0;
    for (let j = 0; j < 4; j++) v = v * 256 + (i + j < data.length ? data[i + j] : 0);
    out += z85Digits(v).join('');
  }
  return out;
}
function z85pDecode(text) {
  if (text.length === 0) fail('truncated', 0);
  const pad = text.charCodeAt(0);
  if (pad > 3) fail('bad_padding', 0);
  const body = text.slice(1);
  if (body.length % 5) fail('bad_length', text.length);
  if (body.length === 0 && pad !== 0) fail('bad_padding', 0);
  const out = [];
  for (let i = 0; i < body.length; i += 5) {
    const v = z85Group(body.slice(i, i + 5).split(''), [1 + i, 2 + i, 3 + i, 4 + i, 5 + i]);
    out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  }
  for (let j = 0; j < pad; j++) {
    if (out[out.length - 1] !== 0) fail('non_canonical', text.length - 1);
    out.pop();
  }
  return Buffer.from(out);
}

export const ENCODINGS = ['JSON-HEX', 'JSON-B64', 'JSON-URLSAFE-B64', 'JSON-B32', 'JSON-B91', 'JSON-Z85B', 'JSON-Z85P'];
export function encode(name, data) {
  switch (name) {
    case 'JSON-HEX': return hexEncode(data);
    case 'JSON-B64': return bitsEncode(data, B64, 6, 4);
    case 'JSON-URLSAFE-B64': return bitsEncode(data, B64URL, 6, 4);
    case 'JSON-B32': return bitsEncode(data, B32, 5, 8);
    case 'JSON-B91': return b91Encode(data);
    case 'JSON-Z85B': return z85bEncode(data);
    case 'JSON-Z85P': return z85pEncode(data);
  }
  throw new Error('unknown encoding ' + name);
}
export function decode(name, text) {
  switch (name) {
    case 'JSON-HEX': return hexDecode(text);
    case 'JSON-B64': return bitsDecode(text, B64, 6, 4);
    case 'JSON-URLSAFE-B64': return bitsDecode(text, B64URL, 6, 4);
    case 'JSON-B32': return bitsDecode(text, B32, 5, 8);
    case 'JSON-B91': return b91Decode(text);
    case 'JSON-Z85B': return z85bDecode(text);
    case 'JSON-Z85P': return z85pDecode(text);
  }
  throw new Error('unknown encoding ' + name);
}
