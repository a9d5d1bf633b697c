// node vectors/check/stt/selftest.mjs: shows the independent checker catches corrupted values.
// Each corruption below changes one expected value of one test; the checker must reject it.
// Also checks HChaCha20 against the known answer of draft-irtf-cfrg-xchacha-03, section 2.2.1.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile } from './checker.mjs';
import { hchacha20, hex, unhex } from './stt.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const load = (f) => JSON.parse(fs.readFileSync(path.resolve(here, '../../stt', f), 'utf8'));
let passed = 0;
let failed = 0;
const report = (ok, what) => {
  if (ok) passed++; else { failed++; console.log(`NOT CAUGHT: ${what}`); }
};

{
  const key = unhex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  const nonce = unhex('000000090000004a0000000031415927');
  report(hex(hchacha20(key, nonce)) === '82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc',
    'HChaCha20 known answer');
}

const flipHex = (s, at = 0) => {
  const i = Math.min(at, s.length - 1);
  return s.slice(0, i) + (s[i] === '0' ? '1' : '0') + s.slice(i + 1);
};

function single(file, group, test) {
  return { ...file, numberOfTests: 1, testGroups: [{ ...group, tests: [test] }] };
}

function expectCaught(file, gi, ti, mutate, what) {
  const f = JSON.parse(JSON.stringify(file));
  const group = f.testGroups[gi];
  const test = group.tests[ti];
  mutate(test, group);
  const clean = checkFile(single(file, file.testGroups[gi], file.testGroups[gi].tests[ti]), 'clean');
  const r = checkFile(single(f, group, test), 'corrupted');
  report(clean.failed === 0 && r.failed > 0, `${what} (tcId ${test.tcId})`);
}

const tlv = load('tlv_test.json');
const msgs = load('messages_test.json');
const hs = load('handshake_test.json');
const mgr = load('manager_test.json');

for (let ti = 0; ti < tlv.testGroups[0].tests.length; ti += 5) {
  expectCaught(tlv, 0, ti, (t) => { t.value = { t: 'bytes', v: '00' }; }, 'TLV value replaced');
}
for (let ti = 0; ti < tlv.testGroups[1].tests.length; ti += 3) {
  expectCaught(tlv, 1, ti, (t) => { t.error = t.error === 'truncated' ? 'trailing_bytes' : 'truncated'; }, 'TLV error renamed');
  expectCaught(tlv, 1, ti, (t) => { t.offset = (t.offset ?? 0) + 1; }, 'TLV offset moved');
}
for (let ti = 0; ti < tlv.testGroups[2].tests.length; ti++) {
  expectCaught(tlv, 2, ti, (t) => { t.lenient_value = { t: 'null' }; }, 'lenient value replaced');
}
for (let gi = 0; gi < msgs.testGroups.length; gi++) {
  const g = msgs.testGroups[gi];
  const v = g.tests.findIndex((t) => t.result === 'valid');
  if (g.type === 'SttFrame') {
    expectCaught(msgs, gi, v, (t) => { t.frame.stream_id += 1; }, 'frame field changed');
  } else {
    expectCaught(msgs, gi, v, (t) => { t.fields.timestamp = String(BigInt(t.fields.timestamp) + 1n); }, 'message timestamp changed');
    expectCaught(msgs, gi, v, (t) => { t.wire = flipHex(t.wire, t.wire.length - 1); }, 'message wire changed');
  }
  const inv = g.tests.findIndex((t) => t.result === 'invalid');
  if (inv >= 0) expectCaught(msgs, gi, inv, (t) => { t.offset = (t.offset ?? 0) + 7; }, 'message error offset moved');
}
for (let ti = 0; ti < hs.testGroups[0].tests.length; ti++) {
  const t0 = hs.testGroups[0].tests[ti];
  const side = t0.expected.responder.keys.session_key ? 'responder' : 'initiator';
  expectCaught(hs, 0, ti, (t) => { t.expected.messages[0].wire = flipHex(t.expected.messages[0].wire, 80); }, 'transcript datagram changed');
  expectCaught(hs, 0, ti, (t) => { t.expected[side].keys.handshake_key = flipHex(t.expected[side].keys.handshake_key); }, 'handshake key changed');
  if (t0.expected[side].keys.session_key) {
    expectCaught(hs, 0, ti, (t) => { t.expected[side].keys.session_key = flipHex(t.expected[side].keys.session_key); }, 'session key changed');
  }
  if (t0.result === 'invalid') {
    expectCaught(hs, 0, ti, (t) => { t.error = t.error === 'replay' ? 'bad_mac' : 'replay'; }, 'expected error renamed');
    expectCaught(hs, 0, ti, (t) => { t.where = `${t.where}0`; }, 'expected location moved');
  } else {
    expectCaught(hs, 0, ti, (t) => { t.result = 'invalid'; t.error = 'bad_mac'; t.where = 'responder at message 0'; }, 'valid case marked invalid');
  }
}
for (let ti = 0; ti < mgr.testGroups[0].tests.length; ti++) {
  const t0 = mgr.testGroups[0].tests[ti];
  const q = t0.expected.events.findIndex((e) => e.complete !== undefined);
  if (q >= 0) expectCaught(mgr, 0, ti, (t) => { t.expected.events[q].complete = !t.expected.events[q].complete; }, 'manager query answer flipped');
  const d = t0.expected.events.findIndex((e) => e.datagrams && e.datagrams.length);
  expectCaught(mgr, 0, ti, (t) => { t.expected.events[d].datagrams[0].created = !t.expected.events[d].datagrams[0].created; }, 'manager created flag flipped');
  expectCaught(mgr, 0, ti, (t) => { t.expected.pending += 1; }, 'manager pending count changed');
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
