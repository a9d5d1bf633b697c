// Strict JSON over bytes and Python's json.dumps(ensure_ascii=False) writer, from
// docs/protocols/hivemind.md ("JSON text"). Values carry the byte offset where they start.
import { fail } from './codecs.mjs';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// Length of the UTF-8 sequence at bytes[pos] or a bad_utf8 failure at the first bad byte.
function utf8Len(bytes, pos) {
  const c = bytes[pos];
  if (c < 0x80) return 1;
  let len, cp;
  if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
  else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
  else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
  else fail('bad_utf8', pos);
  for (let k = 1; k < len; k++) {
    if (pos + k >= bytes.length) fail('bad_utf8', pos + k);
    const cc = bytes[pos + k];
    if ((cc & 0xc0) !== 0x80) fail('bad_utf8', pos + k);
    cp = (cp << 6) | (cc & 0x3f);
  }
  if ((len === 3 && cp < 0x800) || (len === 4 && cp < 0x10000) || cp > 0x10ffff) fail('bad_utf8', pos);
  if (cp >= 0xd800 && cp <= 0xdfff) fail('bad_utf8', pos);
  return len;
}
export function checkUtf8(bytes) {
  for (let p = 0; p < bytes.length;) p += utf8Len(bytes, p);
}

export function parseJson(bytes, { maxSize = 1 << 20, maxDepth = 32 } = {}) {
  bytes = Buffer.from(bytes);
  if (bytes.length > maxSize) fail('oversize', maxSize);
  let pos = 0;
  const peek = () => (pos < bytes.length ? bytes[pos] : -1);
  const ws = () => { while ([0x20, 0x09, 0x0a, 0x0d].includes(peek())) pos++; };
  const unexpected = () => fail(pos >= bytes.length ? 'truncated' : 'decode_error', pos);
  const ch = (c) => c.charCodeAt(0);

  function hex4() {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = peek();
      let d;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      else unexpected();
      v = v * 16 + d;
      pos++;
    }
    return v;
  }
  function string() {
    pos++;
    let out = '';
    for (;;) {
      if (pos >= bytes.length) fail('truncated', pos);
      const c = bytes[pos];
      if (c === 0x22) { pos++; return out; }
      if (c < 0x20) fail('decode_error', pos);
      if (c === 0x5c) {
        const esc = pos;
        pos++;
        const e = peek();
        pos++;
        const simple = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };
        if (e in simple) { out += simple[e]; continue; }
        if (e === 0x75) {
          let cp = hex4();
          if (cp >= 0xdc00 && cp <= 0xdfff) fail('bad_utf8', esc);
          if (cp >= 0xd800 && cp <= 0xdbff) {
            if (peek() !== 0x5c || pos + 1 >= bytes.length || bytes[pos + 1] !== 0x75) fail('bad_utf8', esc);
            pos += 2;
            const lo = hex4();
            if (lo < 0xdc00 || lo > 0xdfff) fail('bad_utf8', esc);
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          }
          out += String.fromCodePoint(cp);
          continue;
        }
        if (e === -1) fail('truncated', pos - 1);
        fail('decode_error', esc);
      }
      const len = utf8Len(bytes, pos);
      out += bytes.subarray(pos, pos + len).toString('utf8');
      pos += len;
    }
  }
  function number() {
    const start = pos;
    if (peek() === ch('-')) pos++;
    if (peek() === ch('0')) pos++;
    else if (peek() >= 0x31 && peek() <= 0x39) { while (peek() >= 0x30 && peek() <= 0x39) pos++; }
    else unexpected();
    if ([ch('.'), ch('e'), ch('E')].includes(peek())) fail('wrong_type', start);
    const v = BigInt(bytes.subarray(start, pos).toString('latin1'));
    if (v < INT64_MIN || v > INT64_MAX) fail('oversize', start);
    return { k: 'int', v };
  }
  function literal(word) {
    for (const c of word) { if (peek() !== ch(c)) unexpected(); pos++; }
  }
  function value(depth) {
    const start = pos;
    const c = peek();
    let out;
    if (c === ch('{') || c === ch('[')) {
      if (depth >= maxDepth) fail('oversize', pos);
      out = c === ch('{') ? object(depth + 1) : array(depth + 1);
    } else if (c === ch('"')) out = { k: 'str', v: string() };
    else if (c === ch('-') || (c >= 0x30 && c <= 0x39)) out = number();
    else if (c === ch('t')) { literal('true'); out = { k: 'bool', v: true }; }
    else if (c === ch('f')) { literal('false'); out = { k: 'bool', v: false }; }
    else if (c === ch('n')) { literal('null'); out = { k: 'null' }; }
    else unexpected();
    out.off = start;
    return out;
  }
  function array(depth) {
    pos++;
    const items = [];
    ws();
    if (peek() === ch(']')) { pos++; return { k: 'arr', items }; }
    for (;;) {
      ws();
      items.push(value(depth));
      ws();
      if (peek() === ch(',')) { pos++; continue; }
      if (peek() === ch(']')) { pos++; return { k: 'arr', items }; }
      unexpected();
    }
  }
  function object(depth) {
    pos++;
    const members = [];
    ws();
    if (peek() === ch('}')) { pos++; return { k: 'obj', members }; }
    for (;;) {
      ws();
      if (peek() !== ch('"')) unexpected();
      const keyAt = pos;
      const key = string();
      if (members.some((m) => m.key === key)) fail('duplicate_key', keyAt);
      ws();
      if (peek() !== ch(':')) unexpected();
      pos++;
      ws();
      members.push({ key, value: value(depth), keyAt });
      ws();
      if (peek() === ch(',')) { pos++; continue; }
      if (peek() === ch('}')) { pos++; return { k: 'obj', members }; }
      unexpected();
    }
  }
  ws();
  const v = value(0);
  ws();
  if (pos !== bytes.length) fail('trailing_bytes', pos);
  return v;
}

function dumpString(s) {
  let out = '"';
  for (const c of s) {
    const code = c.codePointAt(0);
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '\b') out += '\\b';
    else if (c === '\f') out += '\\f';
    else if (code < 0x20) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += c;
  }
  return out + '"';
}
// Python json.dumps(value, ensure_ascii=False): ", " and ": ".
export function dumpJson(v) {
  switch (v.k) {
    case 'null': return 'null';
    case 'bool': return v.v ? 'true' : 'false';
    case 'int': return v.v.toString();
    case 'str': return dumpString(v.v);
    case 'arr': return '[' + v.items.map(dumpJson).join(', ') + ']';
    case 'obj': return '{' + v.members.map((m) => dumpString(m.key) + ': ' + dumpJson(m.value)).join(', ') + '}';
  }
  throw new Error('bad value');
}
export const J = {
  str: (v) => ({ k: 'str', v }),
  bool: (v) => ({ k: 'bool', v }),
  int: (v) => ({ k: 'int', v: BigInt(v) }),
  nul: () => ({ k: 'null' }),
  arr: (items) => ({ k: 'arr', items }),
  obj: (pairs) => ({ k: 'obj', members: pairs.map(([key, value]) => ({ key, value })) }),
};
export function find(o, key) {
  const m = o.members.find((x) => x.key === key);
  return m ? m.value : undefined;
}
export function set(o, key, value) {
  const m = o.members.find((x) => x.key === key);
  if (m) m.value = value; else o.members.push({ key, value });
}
