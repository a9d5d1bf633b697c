// Independent checker for vectors/hivemind/*.json: recomputes every expected value with its own
// codecs, JSON, frames and protocol roles (node:crypto, node:zlib). Ends with "N passed, M failed".
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HmError, encode, decode } from './codecs.mjs';
import { parseJson, dumpJson } from './json.mjs';
import * as P from './proto.mjs';
import { Side, Rng } from './sim.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const vectorsDir = path.resolve(here, '../../hivemind');
const keyPem = (name) => fs.readFileSync(path.join(vectorsDir, 'keys', name + '.pem'), 'utf8');

const failureOf = (fn) => {
  try { return { value: fn() }; } catch (e) { if (e instanceof HmError) return { error: e.code, offset: e.offset }; throw e; }
};
function expectOutcome(test, r, onValid) {
  if (test.result === 'invalid') {
    if (!r.error) throw new Error('accepted, expected ' + test.error);
    if (r.error !== test.error || r.offset !== test.offset) throw new Error(`got ${r.error}@${r.offset}, expected ${test.error}@${test.offset}`);
    return;
  }
  if (r.error) throw new Error(`rejected with ${r.error}@${r.offset}`);
  onValid(r.value);
}
const eq = (a, b, what) => { if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${what}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`); };

const codecChecks = {
  HiveMindEncoding(g, t) {
    const r = failureOf(() => decode(g.encoding, t.text));
    expectOutcome(t, r, (data) => { eq(data.toString('hex'), t.data, 'data'); eq(encode(g.encoding, data), t.text, 're-encoding'); });
  },
  HiveMindJson(g, t) {
    expectOutcome(t, failureOf(() => parseJson(Buffer.from(t.hex, 'hex'))), (v) => eq(dumpJson(v), t.dump, 'dump'));
  },
  HiveMindMessage(g, t) {
    expectOutcome(t, failureOf(() => P.parseMessage(Buffer.from(t.hex, 'hex'))), (m) => eq(P.serializeMessage(m), t.serialized, 'serialized'));
  },
  HiveMindFrame(g, t) {
    expectOutcome(t, failureOf(() => P.parseFrame(Buffer.from(t.hex, 'hex'))), (f) => {
      eq([f.type, f.version, f.compressed, f.metadata, f.binaryType, f.payload.toString('hex')],
        [t.type, t.version, t.compressed, t.metadata, t.binaryType, t.payload], 'frame fields');
    });
  },
  HiveMindPasswordEnvelope(g, t) {
    eq(!failureOf(() => P.verifyEnvelope(t.envelope, t.password, true)).error, t.upstreamAccepts, 'upstreamAccepts');
    expectOutcome(t, failureOf(() => P.verifyEnvelope(t.envelope, t.password)), (iv) => {
      eq(iv.toString('hex'), t.iv, 'iv');
      eq(P.envelopeOf(t.password, iv), t.envelope, 'recomputed envelope');
    });
  },
  HiveMindRsaEnvelope(g, t) {
    const signer = P.publicPem(keyPem(t.signer));
    expectOutcome(t, failureOf(() => P.openRsaEnvelope(t.envelope, signer, keyPem(t.recipient))), (s) => eq(s.toString('hex'), t.secret, 'secret'));
  },
  HiveMindEncryptedFrame(g, t) {
    const key = Buffer.from(t.key, 'hex');
    const r = failureOf(() => {
      const s = t.binary ? P.parseBinaryFrame(Buffer.from(t.frame, 'hex'), g.cipher) : P.parseJsonFrame(Buffer.from(t.frame), g.encoding);
      return P.open(g.cipher, key, s);
    });
    expectOutcome(t, r, (pt) => eq(pt.toString('hex'), t.plaintext, 'plaintext'));
  },
  HiveMindAuthorization(g, t) {
    expectOutcome(t, failureOf(() => P.parseAuthorization(t.value)), (a) => eq([a.useragent, a.accessKey], [t.useragent, t.accessKey], 'fields'));
  },
};

function unitOf(u) {
  if (u.raw !== undefined) return Buffer.from(u.raw, 'hex');
  const op = Buffer.from([u.opcode === 'text' ? 1 : 2]);
  return Buffer.concat([op, u.text !== undefined ? Buffer.from(u.text, 'utf8') : Buffer.from(u.hex, 'hex')]);
}
function unitJson(from, unit) {
  const j = { from };
  if (unit.length && unit[0] === 1 && checkUtf8Ok(unit.subarray(1))) {
    j.opcode = 'text'; j.text = unit.subarray(1).toString('utf8');
  } else if (unit.length && (unit[0] === 1 || unit[0] === 2)) {
    j.opcode = unit[0] === 1 ? 'text' : 'binary'; j.hex = unit.subarray(1).toString('hex');
  } else j.raw = unit.toString('hex');
  return j;
}
function checkUtf8Ok(b) { return Buffer.from(b.toString('utf8'), 'utf8').equals(b) && !/[\ud800-\udfff]/.test(b.toString('utf8')); }

function sideConfig(mode, role, s) {
  return { role, mode, password: s.password, cryptoKey: s.cryptoKey, keyPem: s.key ? keyPem(s.key) : '', pinnedPem: s.pinnedKey ? keyPem(s.pinnedKey) : '',
    binarize: s.binarize, cryptoRequired: role === 'server' ? s.cryptoRequired : true, encodings: s.encodings, ciphers: s.ciphers, knobs: s.knobs };
}

export function runTranscript(t) {
  const crng = new Rng(Buffer.from(t.client.rng, 'hex'));
  const srng = new Rng(Buffer.from(t.server.rng, 'hex'));
  const client = new Side(sideConfig(t.mode, 'client', t.client), crng);
  const server = new Side(sideConfig(t.mode, 'server', t.server), srng);
  server.start();
  client.start();
  const wire = [];
  let index = 0;
  for (let round = 0; round < 32; round++) {
    let moved = false;
    for (const [from, to, name] of [[server, client, 'server'], [client, server, 'client']]) {
      for (const u of from.takeOutput()) {
        moved = true;
        const i = index++;
        let deliver = [u];
        for (const e of t.edits.filter((x) => x.unit === i)) {
          if (e.op === 'replace') deliver = [unitOf(e.data)];
          else if (e.op === 'drop') deliver = [];
          else if (e.op === 'duplicate') deliver = [u, u];
        }
        for (const d of deliver) { wire.push(unitJson(name, d)); to.receive(d); }
        for (const e of t.edits.filter((x) => x.unit === i && x.op === 'inject')) {
          const sender = e.from === 'server' ? server : client;
          const receiver = e.from === 'server' ? client : server;
          let unit = unitOf(e.data);
          if (e.seal) unit = sender.sealRaw(unit.subarray(1), unit[0] === 2);
          wire.push(unitJson(e.from, unit));
          receiver.receive(unit);
        }
      }
    }
    if (!moved) break;
  }
  return { wire, client, server, crng, srng };
}

export function checkTranscript(t) {
  const r = runTranscript(t);
  if (r.crng.pos !== r.crng.bytes.length || r.srng.pos !== r.srng.bytes.length) throw new Error('randomness not fully used');
  for (let i = 0; i < Math.max(r.wire.length, t.wire.length); i++) eq(r.wire[i], t.wire[i], `wire[${i}]`);
  eq(r.client.outcome(), t.clientOutcome, 'clientOutcome');
  eq(r.server.outcome(), t.serverOutcome, 'serverOutcome');
  const clean = r.client.authenticated && r.server.authenticated && !r.client.closure && !r.server.closure;
  if ((t.result === 'valid' && !clean) || (t.result === 'invalid' && clean)) throw new Error('result disagrees with the run');
  // Cross-checks with node:crypto's own primitives where the transcript holds them.
  const ck = t.clientOutcome.keys;
  if (t.mode === 'password' && ck.salt && !t.client.knobs.length && t.clientOutcome.authenticated) {
    eq(P.passwordKey(t.client.password, Buffer.from(ck.salt, 'hex')).toString('hex'), ck.key, 'PBKDF2 key');
  }
}

export function checkFile(file, onCase) {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  let n = 0;
  for (const g of data.testGroups) {
    for (const t of g.tests) {
      n++;
      for (const f of t.flags) if (!(f in data.notes)) onCase(t, new Error('flag without note: ' + f));
      try {
        if (data.schema === 'hivemind/transcript.schema.json') checkTranscript(t);
        else {
          const fn = codecChecks[g.type];
          if (!fn) throw new Error('unknown group type ' + g.type);
          fn(g, t);
        }
        onCase(t, null);
      } catch (e) { onCase(t, e); }
    }
  }
  if (n !== data.numberOfTests) onCase({ tcId: 'file' }, new Error('numberOfTests mismatch'));
}

export function main(files) {
  let passed = 0, failed = 0;
  for (const f of files) {
    checkFile(f, (t, err) => {
      if (err) { failed++; console.log(`${path.basename(f)}: tcId ${t.tcId}: ${err.message}`); } else passed++;
    });
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.length > 2 ? process.argv.slice(2)
    : ['codec_test.json', 'handshake_test.json'].map((f) => path.join(vectorsDir, f));
  process.exitCode = main(files) === 0 ? 0 : 1;
}
