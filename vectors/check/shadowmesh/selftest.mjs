#!/usr/bin/env node
// node vectors/check/shadowmesh/selftest.mjs
// Proves the checker can fail: published answers of its primitives, the section 9 known answers
// of docs/protocols/shadowmesh.md recomputed here, and a corruption of every expected value in
// every vector file, each of which must be reported failing (in memory, and once through the CLI).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  checkData, Malformed, hmac, hkdf, masterCode, masterDocument, sessionCode, sessionDocument, encodeRequest, encodeResponse,
  encodeComplete, decodeFrame,
} from './shadowmesh.mjs';

let passed = 0;
let failed = 0;
const ok = (cond, what) => {
  if (cond) passed++;
  else { failed++; console.log(`FAIL: ${what}`); }
};
const h = (s) => Buffer.from(s, 'hex');
const hex = (b) => Buffer.from(b).toString('hex');
const counting = (first, n) => Buffer.from(Array.from({ length: n }, (_, i) => (first + i) & 0xff));

// ---- primitives: RFC 4231 case 1, RFC 5869 case 1
ok(hex(hmac(Buffer.alloc(20, 0x0b), Buffer.from('Hi There'))) ===
  'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7', 'HMAC-SHA256 RFC 4231 case 1');
ok(hex(hkdf(h('000102030405060708090a0b0c'), Buffer.alloc(22, 0x0b), h('f0f1f2f3f4f5f6f7f8f9'), 42)) ===
  '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865', 'HKDF RFC 5869 case 1');

// ---- section 9 known answers
const sid = counting(0x01, 16);
const aTx = counting(0x01, 32);
const aRx = counting(0x21, 32);
const cI = counting(0xa0, 32);
const cR = counting(0xc0, 32);
const T1 = 1762230765000n;
ok(hex(encodeRequest(sid, cI, T1)) ===
  '01300000000000380102030405060708090a0b0c0d0e0f10a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf0000019a4d2385c8',
'section 9 REQ');
ok(hex(encodeResponse(sid, hmac(aTx, cI), cR, T1 + 1n)) ===
  '01310000000000580102030405060708090a0b0c0d0e0f10999b1c04cadbeec1464d5f3b7498f0433bdc05e31c60f9e09a0ba256da941073c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf0000019a4d2385c9',
'section 9 RESP');
ok(hex(encodeComplete(sid, hmac(aRx, cR), T1 + 2n)) ===
  '01320000000000380102030405060708090a0b0c0d0e0f105d214b81f986b34c29dab0c2eee17db1a075540ad14be7ac52100cef46d468050000019a4d2385ca',
'section 9 COMP');
ok(hex(hmac(aTx, cR)) === '13f615f05eb6b542c8081a7f4e24f256aec3db632f5dab673ec2822e4ef960f3', 'section 9 X8 alternative');
{
  const kem = Buffer.alloc(32, 0x33);
  const ecdh = Buffer.alloc(32, 0x44);
  ok(hex(masterCode(kem, ecdh)) === '02daa002ee95c51b4c2df969d61225ca3a8b60d5a468d97f45a261ac85150294', 'master (code)');
  ok(hex(masterDocument(kem, ecdh)) === '6b8de3b432a3d1df63e9297db4b33ef242bf38172298f8a66cd2120f996bd1c3', 'master (document)');
  const master = counting(0x00, 32);
  const client = Buffer.alloc(32, 0x11);
  const relay = Buffer.alloc(32, 0x22);
  const c = sessionCode(master, sid, client, relay);
  ok(hex(c.tx) === 'db67f5b5224482d2f4f1a109f4ee6fc0230349fc2b48710b74ce0a7a1753d6fa', 'client TX (code)');
  ok(hex(c.rx) === 'fb7dec2e7265e04c0c152742cfee03b92299cdd7d9efc2887a79b94ec106fec6', 'client RX (code)');
  const d = sessionDocument(master, sid, client, relay);
  ok(hex(d.tx) === 'f5c43f8bc94edbecba80aedfec92693ec7a6badb6c88af8dcd7fb08778b83135', 'tx (document)');
  ok(hex(d.rx) === '70ee570ed531560e8f3fb25c4c3450790a629fd6ea191e11c60309b0bdf07410', 'rx (document)');
}
// The codec tells the profiles apart on the same bytes (X12).
{
  const w = Buffer.concat([encodeRequest(sid, cI, T1), Buffer.alloc(10)]);
  ok(!decodeFrame(w, 'strict').ok && decodeFrame(w, 'upstream').ok, 'X12 per profile');
}

// ---- corruptions: every expected value of every case must be caught
const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.resolve(here, '..', '..', 'shadowmesh');
const files = fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
ok(files.length === 3, 'three vector files');
const EXPECTED = new Set(['master', 'tx', 'rx', 'result', 'error', 'offset', 'fields', 'expected']);

// Corruptions stay within the schema where they can (valid <-> invalid, one error or state name for
// another), so that recomputation, not the schema, has to catch them.
const SWAP = {
  valid: 'invalid', invalid: 'valid', bad_mac: 'unknown_session', unknown_session: 'bad_mac', timeout: 'replay',
  replay: 'timeout', stale_timestamp: 'future_timestamp', future_timestamp: 'stale_timestamp', truncated: 'trailing_bytes',
  trailing_bytes: 'truncated', unexpected_message: 'peer_error', peer_error: 'unexpected_message', bad_length: 'oversize',
  oversize: 'bad_length', wrong_version: 'bad_flags', bad_flags: 'wrong_version', unknown_type: 'decode_error',
  decode_error: 'unknown_type', I0: 'I1', I1: 'I2', I2: 'closed', R0: 'R1', R1: 'R2', R2: 'closed', closed: 'I2',
};
function corrupt(v) {
  if (typeof v === 'string' && v in SWAP) return SWAP[v];
  if (v === '') return '00';
  if (typeof v === 'string') {
    if (/^[0-9a-f]+$/.test(v) && v.length % 2 === 0) return v.slice(0, -1) + (v.endsWith('0') ? '1' : '0');
    if (/^[0-9]+$/.test(v)) return (BigInt(v) + 1n).toString();
    return v + 'x';
  }
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'boolean') return !v;
  if (v === null) return 0;
  return v;
}
// Paths of every leaf under the expected-value keys (empty arrays count as leaves).
function leaves(v, p, out) {
  if (Array.isArray(v)) {
    if (v.length === 0) out.push(p);
    v.forEach((x, i) => leaves(x, [...p, i], out));
  } else if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) leaves(v[k], [...p, k], out);
  } else out.push(p);
}
function setPath(obj, p, f) {
  let o = obj;
  for (const k of p.slice(0, -1)) o = o[k];
  const last = p[p.length - 1];
  if (Array.isArray(o[last]) && o[last].length === 0) o[last] = last === 'dropped' ? [0] : ['00'];
  else o[last] = f(o[last]);
}

// A corruption is caught when a case fails, or when the file no longer matches its schema.
let bySchema = 0;
function caught(data, name) {
  try {
    return checkData(data, name).cases.some((c) => c.lines.length > 0);
  } catch (e) {
    if (e instanceof Malformed) {
      bySchema++;
      if (process.env.SELFTEST_VERBOSE) console.log(`schema: ${e.message}`);
      return true;
    }
    throw e;
  }
}

let corruptions = 0;
for (const name of files) {
  const data = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  const base = checkData(data, name);
  ok(base.cases.length > 0 && base.cases.every((c) => c.lines.length === 0), `${name}: passes before corruption`);
  for (const g of data.testGroups) {
    for (const t of g.tests) {
      const paths = [];
      for (const k of Object.keys(t)) if (EXPECTED.has(k)) leaves(t[k], [k], paths);
      for (const p of paths) {
        const copy = structuredClone(t);
        setPath(copy, p, corrupt);
        const one = { ...data, numberOfTests: 1, testGroups: [{ ...g, tests: [copy] }] };
        corruptions++;
        ok(caught(one, name), `${name}: tcId ${t.tcId}: corrupting ${p.join('.')} went unnoticed`);
      }
    }
  }
}
ok(corruptions > 1000, `enough corruptions tried (${corruptions})`);
// Only corruptions the schema cannot express (a null offset made a number, an empty list filled)
// may be caught by it; everything else must be caught by recomputing the value.
ok(bySchema * 20 < corruptions, `recomputation catches the corruptions (${bySchema} of ${corruptions} caught by the schema)`);
console.log(`corruptions: ${corruptions}, caught by the schema: ${bySchema}`);

// ---- the file schemas: a test with an unknown key, or a group of unknown type, is malformed
{
  const data = JSON.parse(fs.readFileSync(path.join(dir, 'codec_test.json'), 'utf8'));
  const bad = structuredClone(data);
  bad.testGroups[0].tests[0].surprise = 1;
  let threw = false;
  try { checkData(bad, 'codec_test.json'); } catch (e) { threw = /does not match/.test(e.message); }
  ok(threw, 'schema rejects an unknown key in a test');
  const bad2 = structuredClone(data);
  bad2.testGroups[0].type = 'Other';
  threw = false;
  try { checkData(bad2, 'codec_test.json'); } catch (e) { threw = /does not match/.test(e.message); }
  ok(threw, 'schema rejects an unknown group type');
}

// ---- once through the command line: a corrupted file fails with exit 1, naming the case
{
  const data = JSON.parse(fs.readFileSync(path.join(dir, 'transcript_test.json'), 'utf8'));
  const t = data.testGroups[0].tests[0];
  t.expected.sent[0][0] = corrupt(t.expected.sent[0][0]);
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shadowmesh-selftest-')), 'corrupt.json');
  fs.writeFileSync(tmp, JSON.stringify(data));
  const r = spawnSync(process.execPath, [path.join(here, 'check.mjs'), tmp], { encoding: 'utf8' });
  ok(r.status === 1, 'check.mjs exits 1 on a corrupted file');
  ok(r.stdout.includes(`tcId ${t.tcId}: expected.sent[0][0]`), 'check.mjs names the corrupted case and field');
  ok(/[1-9][0-9]* passed, 1 failed/.test(r.stdout), 'check.mjs counts exactly one failure');
  fs.rmSync(path.dirname(tmp), { recursive: true });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
