// Checks one vector file's data: schema, file-level consistency, and every
// case recomputed from its inputs. Used by check.mjs (CLI) and selftest.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { parse, parseFrame, serialize, serializeFrame, XdrError } from './xdr.mjs';
import { runTranscript, CaseError } from './transcript.mjs';
import { oracleDecode, oracleKinds, ORACLE_EXCEPTIONS } from './oracle.mjs';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const VECTORS = path.resolve(HERE, '..', '..');
const SCHEMA_DIR = path.join(VECTORS, 'schema', 'stellar');
const SCHEMAS = {
  'transcript.schema.json': 'StellarHandshake',
  'codec.schema.json': 'StellarCodec',
};
const MAX_LINES_PER_CASE = 25;

let validators = null;
function getValidators() {
  if (validators) return validators;
  const ajv = new Ajv2020({ allErrors: false, strict: true, strictRequired: false });
  validators = {};
  for (const name of Object.keys(SCHEMAS)) {
    const schema = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, name), 'utf8'));
    validators[name] = ajv.compile(schema);
  }
  return validators;
}

export class Malformed extends Error {
  constructor(message, cases = 0) {
    super(message);
    this.cases = cases; // test cases the file holds, counted as failed
  }
}

function countCases(data) {
  let n = 0;
  for (const g of Array.isArray(data?.testGroups) ? data.testGroups : []) {
    if (Array.isArray(g?.tests)) n += g.tests.length;
  }
  return n;
}

// ---------------------------------------------------------------- reporting

function show(v) {
  if (v === undefined) return '(absent)';
  if (typeof v === 'string') return v === '' ? '""' : v;
  return JSON.stringify(v);
}

function firstDiff(a, b) {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return Math.floor(i / 2);
}

/** Recursive comparison; pushes { path, expected, computed } leaves. */
function diff(pathStr, exp, comp, out) {
  if (Array.isArray(exp) && Array.isArray(comp)) {
    const n = Math.max(exp.length, comp.length);
    for (let i = 0; i < n; i++) diff(`${pathStr}[${i}]`, exp[i], comp[i], out);
    return;
  }
  if (exp && comp && typeof exp === 'object' && typeof comp === 'object' && !Array.isArray(exp) && !Array.isArray(comp)) {
    const keys = [...new Set([...Object.keys(exp), ...Object.keys(comp)])];
    for (const k of keys) diff(`${pathStr}.${k}`, exp[k], comp[k], out);
    return;
  }
  if (exp !== comp) out.push({ path: pathStr, expected: exp, computed: comp });
}

function formatMismatch(file, tcId, m) {
  let line = `${file}: tcId ${tcId}: field ${m.path}: expected ${show(m.expected)}, computed ${show(m.computed)}`;
  if (/(wire|delivered\[\d+\])$/.test(m.path) && typeof m.expected === 'string' && typeof m.computed === 'string' && /^[0-9a-f]+$/.test(m.expected) && /^[0-9a-f]+$/.test(m.computed) && m.expected.length > 16) {
    line += ` (first difference at byte ${firstDiff(m.expected, m.computed)})`;
  }
  if (m.note) line += ` [${m.note}]`;
  return line;
}

// ---------------------------------------------------------------- codec

function codecCase(kind, t, mismatches, exceptionsSeen) {
  const note = (name) => exceptionsSeen.set(name, [...(exceptionsSeen.get(name) ?? []), t.tcId]);
  const wire = Buffer.from(t.wire, 'hex');
  const doParse = () => (kind === 'Frame' ? parseFrame(wire, t.authenticated) : parse(kind, wire));
  let parsed;
  let err;
  try {
    parsed = doParse();
  } catch (e) {
    if (!(e instanceof XdrError)) throw e;
    err = e;
  }
  if (t.result === 'valid') {
    if (err) {
      mismatches.push({ path: 'fields', expected: t.fields, computed: `decode error ${err.error} at ${err.offset}` });
    } else {
      diff('fields', t.fields, parsed, mismatches);
    }
    let ser;
    try {
      ser = (kind === 'Frame' ? serializeFrame(t.fields) : serialize(kind, t.fields)).toString('hex');
    } catch (e) {
      ser = `serialize error: ${e.message}`;
    }
    if (ser !== t.wire) mismatches.push({ path: 'wire', expected: t.wire, computed: ser, note: 'serialize(fields)' });
  } else {
    if (!err) {
      mismatches.push({ path: 'error', expected: t.error, computed: `(parses as ${JSON.stringify(parsed)})` });
    } else {
      if (err.error !== t.error) mismatches.push({ path: 'error', expected: t.error, computed: err.error });
      if (err.offset !== t.offset) mismatches.push({ path: 'offset', expected: t.offset, computed: err.offset });
    }
  }
  // second oracle
  if (oracleKinds.includes(kind)) {
    const o = oracleDecode(kind, wire);
    const exc = ORACLE_EXCEPTIONS.find((x) => x.applies(kind, t.result === 'valid' ? t.fields : parsed));
    let problem = null;
    if (t.result === 'valid') {
      if (!o.ok) problem = { expected: 'decodes', computed: `rejects (${o.reason})` };
      else if (!o.reencoded.equals(wire)) problem = { expected: t.wire, computed: o.reencoded.toString('hex'), note: 're-encoded' };
    } else if (o.ok) {
      problem = { expected: `rejects (${t.error})`, computed: 'decodes' };
    }
    if (problem) {
      if (exc) note(exc.name);
      else mismatches.push({ path: 'stellar-base', ...problem });
    }
  }
}

// ---------------------------------------------------------------- transcript

function transcriptCase(t, mismatches) {
  const got = runTranscript(t.inputs);
  diff('expected.messages', t.expected.messages, got.messages, mismatches);
  diff('expected.initiator', t.expected.initiator, got.initiator, mismatches);
  diff('expected.acceptor', t.expected.acceptor, got.acceptor, mismatches);
  if (t.result !== got.result) mismatches.push({ path: 'result', expected: t.result, computed: got.result });
  // stellar-base agrees with our writer on every emitted record
  got.messages.forEach((m, i) => {
    const body = Buffer.from(m.wire, 'hex').subarray(4);
    let mine = true;
    try {
      parse('AuthenticatedMessage', body);
    } catch (e) {
      if (!(e instanceof XdrError)) throw e;
      mine = false;
    }
    const o = oracleDecode('AuthenticatedMessage', body);
    const theirs = o.ok && o.reencoded.equals(body);
    if (mine !== theirs) {
      mismatches.push({
        path: `stellar-base(messages[${i}])`,
        expected: mine ? 'decodes and re-encodes identically' : 'rejects',
        computed: o.ok ? (theirs ? 'decodes' : 're-encodes differently') : `rejects (${o.reason})`,
      });
    }
  });
}

// ---------------------------------------------------------------- file

function schemaError(errors, data) {
  // the deepest error is the most specific one
  const e = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  const m = /^\/testGroups\/(\d+)\/tests\/(\d+)/.exec(e.instancePath);
  let where = '';
  if (m) {
    const tc = data?.testGroups?.[+m[1]]?.tests?.[+m[2]]?.tcId;
    if (tc !== undefined) where = ` (tcId ${tc})`;
  }
  if (e.keyword === 'false schema') {
    const parent = e.instancePath.split('/').slice(0, -1).join('/');
    const obj = parent.split('/').slice(1).reduce((o, k) => o?.[k], data);
    const state = obj?.state !== undefined ? ` when state is ${obj.state}` : '';
    return `schema violation at ${e.instancePath}${where}: must be absent${state}`;
  }
  const extra = e.params?.additionalProperty ? ` '${e.params.additionalProperty}'` : e.params?.allowedValues ? ` ${JSON.stringify(e.params.allowedValues)}` : '';
  return `schema violation at ${e.instancePath || '/'}${where}: ${e.message}${extra}`;
}

/**
 * Check parsed file data. Returns { malformed, cases: [{ tcId, lines: [] }],
 * exceptions: Map name -> tcIds }. `malformed` is null or the file's first
 * structural problem; the cases are then still checked one by one where they
 * are well-formed themselves, and the others fail with their own violation.
 * Throws Malformed when no case can be told apart (not an object, unknown
 * schema, no testGroups/tests arrays).
 */
export function checkData(file, data) {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Malformed('not a JSON object');
  const schemaName = typeof data.schema === 'string' ? path.basename(data.schema) : undefined;
  if (!SCHEMAS[schemaName]) {
    throw new Malformed(
      `unknown schema ${JSON.stringify(data.schema)} (expected one of ${Object.keys(SCHEMAS).join(', ')})`,
      countCases(data),
    );
  }
  const validate = getValidators()[schemaName];
  const problems = [];
  const whole = validate(data);
  if (!whole) problems.push(schemaError(validate.errors, data));
  const framed =
    Array.isArray(data.testGroups) &&
    data.testGroups.every((g) => g && typeof g === 'object' && Array.isArray(g.tests));
  if (!framed) throw new Malformed(problems[0] ?? 'testGroups is not a list of groups with tests', countCases(data));

  // file-level rules the schema cannot express
  const seen = new Set();
  let count = 0;
  const notes = data.notes && typeof data.notes === 'object' ? data.notes : {};
  for (const g of data.testGroups) {
    for (const t of g.tests) {
      count++;
      if (seen.has(t?.tcId)) problems.push(`tcId ${t.tcId}: duplicate tcId`);
      seen.add(t?.tcId);
      for (const f of Array.isArray(t?.flags) ? t.flags : []) {
        if (!Object.prototype.hasOwnProperty.call(notes, f)) {
          problems.push(`tcId ${t.tcId}: flag ${f} is not defined in notes`);
        }
      }
    }
  }
  if (count !== data.numberOfTests) problems.push(`numberOfTests is ${data.numberOfTests}, the file has ${count} tests`);

  const cases = [];
  const exceptions = new Map(); // oracle exception name -> tcIds
  for (const g of data.testGroups) {
    for (const t of g.tests) {
      const tcId = t?.tcId ?? '?';
      const lines = [];
      if (!whole) {
        const single = { ...data, numberOfTests: 1, testGroups: [{ ...g, tests: [t] }] };
        if (!validate(single)) {
          const msg = schemaError(validate.errors, single)
            .replace(/ \(tcId [^)]*\)/, '')
            .replace(/at \/testGroups\/0\/tests\/0\/?/, 'at case field ');
          lines.push(`${file}: tcId ${tcId}: ${msg}`);
          cases.push({ tcId, lines });
          continue;
        }
      }
      for (const f of t.flags) {
        if (!Object.prototype.hasOwnProperty.call(notes, f)) lines.push(`${file}: tcId ${tcId}: flag ${f} is not defined in notes`);
      }
      const mismatches = [];
      try {
        if (g.type === 'StellarCodec') codecCase(g.message, t, mismatches, exceptions);
        else transcriptCase(t, mismatches);
      } catch (e) {
        if (e instanceof CaseError) lines.push(`${file}: tcId ${tcId}: case cannot be run: ${e.message}`);
        else lines.push(`${file}: tcId ${tcId}: checker error: ${e?.message ?? e}`);
      }
      for (const m of mismatches.slice(0, MAX_LINES_PER_CASE)) lines.push(formatMismatch(file, tcId, m));
      if (mismatches.length > MAX_LINES_PER_CASE) {
        lines.push(`${file}: tcId ${tcId}: (${mismatches.length - MAX_LINES_PER_CASE} further mismatches not shown)`);
      }
      cases.push({ tcId, lines });
    }
  }
  return { malformed: problems[0] ?? null, cases, exceptions };
}

/** Read and check one file; returns checkData's result or throws Malformed. */
export function checkFile(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Malformed(`cannot read: ${e.code ?? e.message}`);
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Malformed(`bad JSON: ${e.message}`);
  }
  return checkData(file, data);
}

export { ORACLE_EXCEPTIONS };
