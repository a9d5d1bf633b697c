#!/usr/bin/env node
// node vectors/check/sft/check.mjs [FILE...]   (default: every vectors/sft/*.json)
// Exit 0 when every case passes; ends with "N passed, M failed".
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile } from './checker.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(here, '..', '..', 'sft');
const args = process.argv.slice(2);
const files = args.length ? args : fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort().map((n) => path.join(dir, n));
let passed = 0;
let failed = 0;
for (const f of files) {
  for (const r of checkFile(f)) {
    if (r.problems.length) {
      failed++;
      for (const p of r.problems) console.log(`${path.basename(f)}: tcId ${r.tcId}: ${p}`);
    } else passed++;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
