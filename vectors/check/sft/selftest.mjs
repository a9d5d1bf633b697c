#!/usr/bin/env node
// Shows the checker catches corrupted values: each corruption of an in-memory copy of a vector
// file must make the case it touches fail. Ends with "N passed, M failed" (each corruption caught
// counts as passed); exits 1 unless every one was caught.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDoc } from './checker.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const load = (n) => JSON.parse(fs.readFileSync(path.join(here, '..', '..', 'sft', n), 'utf8'));
const flipHex = (s, at) => s.slice(0, at) + (s[at] === '0' ? '1' : '0') + s.slice(at + 1);
const find = (doc, pred) => { for (const g of doc.testGroups) for (const t of g.tests) if (pred(t, g)) return t; throw new Error('no such case'); };

const corruptions = [
  ['kat_test.json', 'aes_key', (d) => { const t = d.testGroups[0].tests[0]; t.expected.aes_key = flipHex(t.expected.aes_key, 63); return t.tcId; }],
  ['kat_test.json', 'described key_id', (d) => { const t = d.testGroups[0].tests[1]; t.expected.key_id = flipHex(t.expected.key_id, 0); return t.tcId; }],
  ['kat_test.json', 'ping signature', (d) => { const t = d.testGroups[0].tests[0]; t.expected.ping_signature = flipHex(t.expected.ping_signature, 5); return t.tcId; }],
  ['codec_test.json', 'error offset', (d) => { const t = find(d, (x) => x.result === 'invalid' && x.offset === 36); t.offset = 35; return t.tcId; }],
  ['codec_test.json', 'error value', (d) => { const t = find(d, (x) => x.error === 'oversize'); t.error = 'bad_length'; return t.tcId; }],
  ['codec_test.json', 'canonical JSON', (d) => { const t = find(d, (x, g) => g.message === 'CanonicalJson' && x.result === 'valid'); t.fields.dumps_sorted = t.fields.dumps; return t.tcId; }],
  ['codec_test.json', 'valid made invalid', (d) => { const t = find(d, (x, g) => g.message === 'Record' && x.result === 'valid'); t.wire = flipHex(t.wire, 200); return t.tcId; }],
  ['upstream-v2_transcript_test.json', 'expected error', (d) => { const t = find(d, (x) => x.error === 'weak_key'); t.error = 'bad_length'; return t.tcId; }],
  ['upstream-v2_transcript_test.json', 'at_message', (d) => { const t = find(d, (x) => x.case === 'A17'); t.at_message += 1; t.expected.server.at_message += 1; return t.tcId; }],
  ['upstream-v2_transcript_test.json', 'H2 signature byte', (d) => { const t = find(d, (x) => x.case === 'honest'); t.expected.messages[1].wire = flipHex(t.expected.messages[1].wire, 200); return t.tcId; }],
  ['upstream-v2_transcript_test.json', 'record ciphertext', (d) => { const t = find(d, (x) => x.case === 'honest'); const m = t.expected.messages[5]; m.wire = flipHex(m.wire, m.wire.length - 2); return t.tcId; }],
  ['described_transcript_test.json', 'derived key', (d) => { const t = find(d, (x) => x.case === 'honest'); t.expected.client.keys.hmac_key = flipHex(t.expected.client.keys.hmac_key, 0); return t.tcId; }],
  ['described_transcript_test.json', 'outcome of a valid case', (d) => { const t = find(d, (x) => x.case === 'A21' && x.result === 'valid'); t.expected.server.error = 'stale_timestamp'; return t.tcId; }],
  ['described_transcript_test.json', 'transferred file', (d) => { const t = find(d, (x) => x.case === 'transfer'); const f = t.expected.client.files; const n = Object.keys(f)[0]; f[n] = flipHex(f[n], 10); return t.tcId; }],
];

let ok = 0;
for (const [file, what, corrupt] of corruptions) {
  const doc = load(file);
  const id = corrupt(doc);
  // Only the touched case is re-checked (the full files are check.mjs's job).
  for (const g of doc.testGroups) g.tests = g.tests.filter((t) => t.tcId === id);
  doc.testGroups = doc.testGroups.filter((g) => g.tests.length);
  doc.numberOfTests = 1;
  const r = checkDoc(doc).find((x) => x.tcId === id);
  if (r && r.problems.length) {
    ok++;
    console.log(`caught: ${file} tcId ${id} (${what}): ${r.problems[0]}`);
  } else console.log(`MISSED: ${file} tcId ${id} (${what})`);
}
console.log(`${ok} of ${corruptions.length} corruptions caught`);
if (ok === corruptions.length) console.log('selftest passed');
console.log(`${ok} passed, ${corruptions.length - ok} failed`);
process.exit(ok === corruptions.length ? 0 : 1);
