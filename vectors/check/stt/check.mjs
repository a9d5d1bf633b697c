// node vectors/check/stt/check.mjs [FILE...]: checks the STT vector files with the independent
// implementation; ends with "N passed, M failed" and exits non-zero on any failure.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile } from './checker.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.resolve(here, '../../stt');
const files = process.argv.length > 2 ? process.argv.slice(2)
  : ['tlv_test.json', 'messages_test.json', 'handshake_test.json', 'manager_test.json'].map((f) => path.join(dir, f));
let passed = 0;
let failed = 0;
for (const f of files) {
  const r = checkFile(JSON.parse(fs.readFileSync(f, 'utf8')), path.basename(f));
  passed += r.passed;
  failed += r.failed;
  for (const p of r.problems) console.log(p);
  console.log(`${path.basename(f)}: ${r.passed} passed, ${r.failed} failed`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
