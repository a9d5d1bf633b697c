#!/usr/bin/env node
// node vectors/check/check.mjs [FILE...]
// Default: every vectors/stellar/*.json. Exit 0 all cases pass, 1 a case
// failed (or none ran), 2 a file is malformed.
import fs from 'node:fs';
import path from 'node:path';

let checker;
try {
  checker = await import('./checker.mjs');
} catch (e) {
  console.error(`check.mjs: cannot load the checker (run npm ci in vectors/check): ${String(e?.message ?? e).split("\n")[0]}`);
  console.log('0 passed, 0 failed');
  process.exit(2);
}
const { checkFile, Malformed, VECTORS, ORACLE_EXCEPTIONS } = checker;

function defaultFiles() {
  const dir = path.join(VECTORS, 'stellar');
  let names = [];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    // no directory: no files
  }
  return names.map((n) => path.join(dir, n));
}

const args = process.argv.slice(2);
const files = args.length ? args : defaultFiles();
let passed = 0;
let failed = 0;
let malformed = false;

for (const file of files) {
  const name = args.length ? file : path.relative(process.cwd(), file) || file;
  let res;
  try {
    res = checkFile(file);
  } catch (e) {
    malformed = true;
    if (e instanceof Malformed) {
      const n = e.cases ? ` (its ${e.cases} cases could not be checked and count as failed)` : '';
      console.log(`${name}: malformed: ${e.message}${n}`);
      failed += e.cases;
    }
    else console.log(`${name}: checker error: ${e?.message ?? e}`);
    continue;
  }
  if (res.malformed) {
    malformed = true;
    console.log(`${name}: malformed: ${res.malformed}`);
  }
  let p = 0;
  let f = 0;
  for (const c of res.cases) {
    if (c.lines.length) {
      f++;
      for (const l of c.lines) console.log(l.startsWith(file) ? name + l.slice(file.length) : l);
    } else p++;
  }
  for (const x of ORACLE_EXCEPTIONS) {
    const ids = res.exceptions.get(x.name);
    if (ids) console.log(`${name}: stellar-base differs as expected on tcId ${ids.join(', ')} (exception '${x.name}': ${x.why})`);
  }
  console.log(`${name}: ${p + f} cases checked, ${f} failing`);
  passed += p;
  failed += f;
}
if (!files.length) console.log('no vector files found');
console.log(`${passed} passed, ${failed} failed`);
process.exit(malformed ? 2 : failed === 0 && passed > 0 ? 0 : 1);
