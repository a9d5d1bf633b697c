#!/usr/bin/env node
// node vectors/check/selftest.mjs [FILE...]
// Proves the checker can fail: known-answer tests of its primitives, its
// malformed-file handling, and single-field corruptions of every vector file
// (default: vectors/stellar/*.json), each of which must be reported failing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { checkData, Malformed, VECTORS, HERE } from './checker.mjs';
import {
  sha256,
  hmacSha256,
  edPublic,
  edSign,
  edVerify,
  xPublic,
  x25519,
  certDigest,
  networkId,
} from './crypto.mjs';
import { parse, serialize } from './xdr.mjs';

const require = createRequire(import.meta.url);
const sb = require('@stellar/stellar-base');

let passed = 0;
let failed = 0;
function ok(cond, what) {
  if (cond) passed++;
  else {
    failed++;
    console.log(`FAIL: ${what}`);
  }
}
const h = (s) => Buffer.from(s, 'hex');

// ------------------------------------------------ primitives (published answers)
ok(sha256(Buffer.from('abc')).toString('hex') === 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'SHA-256("abc")');
ok(
  hmacSha256(Buffer.alloc(20, 0x0b), Buffer.from('Hi There')).toString('hex') ===
    'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
  'HMAC-SHA256 RFC 4231 case 1',
);
{
  const seed = h('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const pub = edPublic(seed);
  const sig = edSign(seed, Buffer.alloc(0));
  ok(pub.toString('hex') === 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'Ed25519 RFC 8032 test 1 public key');
  ok(
    sig.toString('hex') ===
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    'Ed25519 RFC 8032 test 1 signature',
  );
  ok(edVerify(pub, Buffer.alloc(0), sig), 'Ed25519 verify of a good signature');
  const bad = Buffer.from(sig);
  bad[10] ^= 1;
  ok(!edVerify(pub, Buffer.alloc(0), bad), 'Ed25519 verify rejects a flipped bit');
  ok(!edVerify(pub, Buffer.alloc(0), sig.subarray(0, 63)), 'Ed25519 verify rejects 63 bytes');
  // the AuthCert signature agrees with stellar-base's own Ed25519
  const d = certDigest(networkId('Test SDF Network ; September 2015'), 1700003600n, h('11'.repeat(32)));
  const kp = sb.Keypair.fromRawEd25519Seed(seed);
  ok(kp.sign(d).equals(edSign(seed, d)), 'AuthCert signature equals stellar-base Keypair.sign');
  ok(
    networkId('Test SDF Network ; September 2015').equals(sb.hash(Buffer.from('Test SDF Network ; September 2015'))),
    'networkID equals stellar-base hash(passphrase)',
  );
}
{
  const a = h('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  const bPub = h('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
  ok(xPublic(a).toString('hex') === '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a', 'X25519 RFC 7748 public key');
  ok(
    x25519(a, bPub)?.toString('hex') === '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
    'X25519 RFC 7748 shared secret',
  );
  ok(x25519(a, Buffer.alloc(32)) === null, 'X25519 with the zero point is weak_key');
  ok(x25519(a, h('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800')) === null, 'X25519 with an order-8 point is weak_key');
}
// own XDR writer round-trips through stellar-base
{
  const hello = {
    ledger_version: 28,
    overlay_version: 42,
    overlay_min_version: 41,
    network_id: networkId('Test SDF Network ; September 2015').toString('hex'),
    version_str: 'stellar-core 22.0.0',
    listening_port: 11625,
    peer_id: '22'.repeat(32),
    cert: { pubkey: '33'.repeat(32), expiration: '1700003600', sig: '44'.repeat(64) },
    nonce: '55'.repeat(32),
  };
  const w = serialize('Hello', hello);
  const v = sb.xdr.Hello.fromXDR(w);
  ok(v.versionStr().toString() === hello.version_str && v.listeningPort() === 11625 && v.cert().expiration().toString() === '1700003600', 'Hello fields as stellar-base reads them');
  ok(v.toXDR().equals(w), 'Hello re-encoded by stellar-base');
  ok(JSON.stringify(parse('Hello', w)) === JSON.stringify(hello), 'Hello parse(serialize(x)) == x');
  const am = { sequence: '7', message: { type: 'SEND_MORE_EXTENDED', body: { num_messages: 200, num_bytes: 300000 } }, mac: '66'.repeat(32) };
  const aw = serialize('AuthenticatedMessage', am);
  const av = sb.xdr.AuthenticatedMessage.fromXDR(aw);
  ok(av.v0().message().sendMoreExtendedMessage().numBytes() === 300000 && av.toXDR().equals(aw), 'AuthenticatedMessage through stellar-base');
}

// ------------------------------------------------ malformed files
const fileArgs = process.argv.slice(2);
const files = fileArgs.length
  ? process.argv.slice(2)
  : (() => {
      const dir = path.join(VECTORS, 'stellar');
      try {
        return fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort().map((n) => path.join(dir, n));
      } catch {
        return [];
      }
    })();
ok(files.length > 0, 'vector files found');

const clone = (x) => structuredClone(x);
function isMalformed(data) {
  try {
    return checkData('selftest', data).malformed !== null;
  } catch (e) {
    return e instanceof Malformed;
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shakedown-check-'));
try {
  const bad = path.join(tmp, 'bad.json');
  fs.writeFileSync(bad, '{"generatedBy": ');
  const r = spawnSync(process.execPath, [path.join(HERE, 'check.mjs'), bad], { encoding: 'utf8' });
  ok(r.status === 2, 'bad JSON exits 2');
  ok(/bad\.json: malformed: bad JSON/.test(r.stdout) && !/\n\s+at /.test(r.stdout + r.stderr), 'bad JSON: one line naming the file, no stack trace');
  ok(/^0 passed, 0 failed$/m.test(r.stdout.trim().split('\n').pop()), 'bad JSON: summary line');
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

// ------------------------------------------------ corruptions
const nib = (s, i) => {
  // change one hex nibble at hex position i (mod length)
  if (!s.length) return '00';
  const k = i % s.length;
  const c = s[k];
  const d = ((parseInt(c, 16) + 1) % 16).toString(16);
  return s.slice(0, k) + d + s.slice(k + 1);
};
const DECODE_ERRORS = ['truncated', 'trailing_bytes', 'bad_length', 'bad_padding', 'unknown_type', 'oversize'];
const OUTCOME_ERRORS = ['unexpected_message', 'bad_mac', 'bad_sequence', 'bad_signature', 'expired', 'weak_key', 'wrong_version', 'bad_flags', 'peer_error'];
const other = (list, v) => list[(list.indexOf(v) + 1) % list.length];

function codecCorruptions(g, t) {
  const out = [];
  if (t.result === 'valid') {
    // (an invalid case's wire can change without changing its error)
    out.push(['wire nibble', (c) => void (c.wire = nib(c.wire, 9))]);
    out.push(['result', (c) => {
      c.result = 'invalid';
      delete c.fields;
      c.error = 'truncated';
      c.offset = 0;
    }]);
  } else {
    out.push(['error name', (c) => void (c.error = other(DECODE_ERRORS, c.error))]);
    out.push(['offset', (c) => void (c.offset += 1)]);
  }
  return out;
}

function transcriptCorruptions(g, t) {
  const out = [];
  const msgs = t.expected.messages;
  if (msgs.length) {
    const i = (t.tcId * 7) % msgs.length;
    out.push([`messages[${i}].wire nibble`, (c) => void (c.expected.messages[i].wire = nib(c.expected.messages[i].wire, 2 * t.tcId + 11))]);
  }
  const di = msgs.findIndex((m) => m.delivered && m.delivered.length);
  if (di >= 0) out.push([`messages[${di}].delivered[0] nibble`, (c) => void (c.expected.messages[di].delivered[0] = nib(c.expected.messages[di].delivered[0], t.tcId + 3))]);
  for (const side of ['initiator', 'acceptor']) {
    const o = t.expected[side];
    if (o.shared_key) out.push([`${side}.shared_key`, (c) => void (c.expected[side].shared_key = nib(o.shared_key, t.tcId))]);
    if (o.recv_mac_key) out.push([`${side}.recv_mac_key`, (c) => void (c.expected[side].recv_mac_key = nib(o.recv_mac_key, 5))]);
    if (o.error && o.state === 'rejected' && o.error !== 'timeout') {
      out.push([`${side}.error`, (c) => void (c.expected[side].error = other(OUTCOME_ERRORS, o.error))]);
    }
    if (o.at_message !== undefined) out.push([`${side}.at_message`, (c) => void (c.expected[side].at_message += 1)]);
    out.push([`${side}.state`, (c) => {
      const e = c.expected[side];
      if (e.state === 'authenticated') Object.assign(e, { state: 'rejected', error: 'timeout', response: 'silent' });
      else {
        e.state = 'authenticated';
        delete e.error;
        delete e.at_message;
        delete e.response;
      }
    }]);
  }
  out.push(['result', (c) => void (c.result = c.result === 'valid' ? 'invalid' : 'valid')]);
  return out;
}

const PER_KIND = 12; // corrupted cases per corruption kind and file
for (const file of files) {
  let data;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    ok(false, `${file}: cannot load: ${e.message}`);
    continue;
  }
  const name = fileArgs.length ? file : path.relative(process.cwd(), file);
  // The cases this checker passes as they are (each checked on its own; a
  // case it disagrees with is check.mjs's to report, not a corruption target).
  const clean = [];
  let disagreeing = 0;
  for (const g of data.testGroups ?? []) {
    for (const t of g.tests ?? []) {
      const single = { ...data, numberOfTests: 1, testGroups: [{ ...g, tests: [t] }] };
      let good = false;
      try {
        const r = checkData(name, single);
        good = r.malformed === null && r.cases[0].lines.length === 0;
      } catch {
        good = false;
      }
      if (good) clean.push([g, t]);
      else disagreeing++;
    }
  }
  if (disagreeing) console.log(`${name}: ${disagreeing} cases left out (malformed or disagreeing as they are; check.mjs reports them)`);
  ok(clean.length > 0, `${name}: some case passes as it is`);
  if (!clean.length) continue;
  const groups = [];
  for (const [g, t] of clean) {
    let grp = groups.find((x) => x.src === g);
    if (!grp) groups.push((grp = { src: g, out: { ...g, tests: [] } }));
    grp.out.tests.push(t);
  }
  const cleanData = { ...data, numberOfTests: clean.length, testGroups: groups.map((x) => x.out) };
  {
    let r = null;
    try {
      r = checkData(name, cleanData);
    } catch (e) {
      r = null;
    }
    ok(r !== null && r.malformed === null && r.cases.every((c) => !c.lines.length), `${name}: the passing cases pass together`);
  }
  // malformed variants
  {
    const d = clone(cleanData);
    d.numberOfTests += 1;
    ok(isMalformed(d), `${name}: wrong numberOfTests is malformed`);
  }
  {
    const d = clone(cleanData);
    d.testGroups[0].tests[0].flags.push('NoSuchFlagDefined');
    ok(isMalformed(d), `${name}: undefined flag is malformed`);
  }
  {
    const d = clone(cleanData);
    const t = d.testGroups[0].tests[0];
    t.wire !== undefined ? (t.wire = t.wire.toUpperCase() + 'A') : (t.expected.messages[0].wire += 'A');
    ok(isMalformed(d), `${name}: bad hex is malformed`);
  }
  {
    const d = clone(cleanData);
    d.testGroups[0].tests[0].unexpectedKey = 1;
    ok(isMalformed(d), `${name}: unknown key is malformed`);
  }
  {
    const d = clone(cleanData);
    d.testGroups[0].tests.push(clone(d.testGroups[0].tests[0]));
    d.numberOfTests += 1;
    ok(isMalformed(d), `${name}: duplicate tcId is malformed`);
  }

  // single-field corruptions of the passing cases
  const counts = {};
  for (const [g, t] of clean) {
    const one = (test) => ({ ...data, numberOfTests: 1, testGroups: [{ ...g, tests: [test] }] });
    const corr = g.type === 'StellarCodec' ? codecCorruptions(g, t) : transcriptCorruptions(g, t);
    for (const [what, apply] of corr) {
      const kind = what.replace(/\[\d+\]/g, '[]');
      counts[kind] = (counts[kind] ?? 0) + 1;
      if (counts[kind] > PER_KIND) continue;
      const c = clone(t);
      apply(c);
      let failedAsExpected;
      try {
        const r = checkData(name, one(c));
        failedAsExpected = r.malformed === null && r.cases[0].lines.length > 0;
        if (r.malformed) console.log(`${name}: tcId ${t.tcId}: corrupting ${what} made the file malformed: ${r.malformed}`);
      } catch (e) {
        failedAsExpected = false;
        console.log(`${name}: tcId ${t.tcId}: corrupting ${what} made the file malformed: ${e.message}`);
      }
      ok(failedAsExpected, `${name}: tcId ${t.tcId}: corrupted ${what} not detected`);
    }
  }
  const kinds = Object.entries(counts).map(([k, n]) => `${k} ×${Math.min(n, PER_KIND)}`);
  console.log(`${name}: corruptions tried: ${kinds.join(', ') || 'none'}`);
  ok(kinds.length > 0, `${name}: some corruption was tried`);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
