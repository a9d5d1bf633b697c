// Shows the independent checker catches corrupted values: each corruption of a copy of the
// vector files must make at least one case fail. Ends with "N passed, M failed" (a pass is a
// corruption that was caught).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkFile, vectorsDir } from './check.mjs';

const load = (f) => JSON.parse(fs.readFileSync(path.join(vectorsDir, f), 'utf8'));
const flipHex = (s) => (s[0] === '0' ? '1' : '0') + s.slice(1);
const corruptions = [
  ['handshake_test.json', 'client key', (d) => { const k = d.testGroups[0].tests[0].clientOutcome.keys; k.key = flipHex(k.key); }],
  ['handshake_test.json', 'server salt', (d) => { const k = d.testGroups[0].tests[0].serverOutcome.keys; k.salt = flipHex(k.salt); }],
  ['handshake_test.json', 'one wire byte', (d) => { const w = d.testGroups[0].tests[0].wire[2]; w.text = w.text.replace('"binarize": false', '"binarize": true'); }],
  ['handshake_test.json', 'expected error', (d) => { d.testGroups[0].tests.find((t) => t.result === 'invalid').serverOutcome.error = 'bad_mac'; }],
  ['handshake_test.json', 'rsa secret', (d) => { const k = d.testGroups[1].tests[0].serverOutcome.keys; k.rsa_secret = flipHex(k.rsa_secret); }],
  ['codec_test.json', 'decoded data', (d) => { d.testGroups[0].tests[1].data = flipHex(d.testGroups[0].tests[1].data); }],
  ['codec_test.json', 'error offset', (d) => { const t = d.testGroups[0].tests.find((x) => x.result === 'invalid'); t.offset = (t.offset ?? 0) + 1; }],
  ['codec_test.json', 'JSON dump', (d) => { const g = d.testGroups.find((x) => x.type === 'HiveMindJson'); g.tests[0].dump = g.tests[0].dump.replace(', ', ','); }],
  ['codec_test.json', 'envelope IV', (d) => { const g = d.testGroups.find((x) => x.type === 'HiveMindPasswordEnvelope'); g.tests[0].iv = flipHex(g.tests[0].iv); }],
];
let caught = 0, missed = 0;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hivemind-selftest-'));
for (const [file, what, corrupt] of corruptions) {
  const data = load(file);
  corrupt(data);
  const p = path.join(tmp, file);
  fs.writeFileSync(p, JSON.stringify(data));
  let failures = 0;
  checkFile(p, (t, err) => { if (err) failures++; });
  if (failures > 0) caught++; else { missed++; console.log(`not caught: ${what}`); }
}
fs.rmSync(tmp, { recursive: true });
console.log(`${caught} passed, ${missed} failed`);
process.exitCode = missed === 0 ? 0 : 1;
