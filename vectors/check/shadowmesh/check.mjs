#!/usr/bin/env node
// node vectors/check/shadowmesh/check.mjs [FILE...]
// Default: every vectors/shadowmesh/*.json. Prints one line per failing case and ends with
// "N passed, M failed". Exit 0 when every case passes (and at least one ran), 1 otherwise,
// 2 for a malformed file.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
let checker;
try {
  checker = await import('./shadowmesh.mjs');
} catch (e) {
  console.error(`check.mjs: cannot load the checker (run npm ci in vectors/check/shadowmesh): ${String(e?.message ?? e).split('\n')[0]}`);
  console.log('0 passed, 0 failed');
  process.exit(2);
}
const { checkFile, Malformed } = checker;

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.resolve(here, '..', '..', 'shadowmesh');
const args = process.argv.slice(2);
const files = args.length
  ? args
  : fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort().map((n) => path.join(dir, n));

let passed = 0;
let failed = 0;
let malformed = false;
for (const file of files) {
  try {
    for (const c of checkFile(file).cases) {
      if (c.lines.length) {
        failed++;
        for (const l of c.lines) console.log(l);
      } else passed++;
    }
  } catch (e) {
    if (!(e instanceof Malformed)) throw e;
    malformed = true;
    console.log(`${file}: malformed: ${e.message}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(malformed ? 2 : failed === 0 && passed > 0 ? 0 : 1);
