// Per-schema case checks of the SFT vector files. Each returns a list of problems (empty: pass).
import crypto from 'node:crypto';
import fs from 'node:fs';
import * as S from './sftjs.mjs';
import { checkTranscript } from './transcript.mjs';

const { hex, unhex, Reject } = S;

function kat(test) {
  const p = [];
  const e = test.expected;
  const prof = test.profile;
  const i = test.inputs;
  const want = (name, value) => { if (e[name] !== value) p.push(`expected.${name}: ${e[name]}, this checker: ${value}`); };
  const cSec = unhex(i.client_eph_secret);
  const sSec = unhex(i.server_eph_secret);
  const A = S.x25519Public(cSec);
  const B = S.x25519Public(sSec);
  const sid = S.edPublic(unhex(i.server_id_seed));
  want('client_eph', hex(A));
  want('server_eph', hex(B));
  want('server_id', hex(sid));
  const ss = S.x25519(cSec, B);
  if (!ss.equals(S.x25519(sSec, A))) p.push('the two sides disagree on the shared secret');
  want('shared_secret', hex(ss));
  want('salt', hex(S.salt(prof, B, A)));
  const tr = S.transcript(prof, A, B, sid);
  want('signed_transcript', hex(tr));
  let signer = unhex(i.server_id_seed);
  if (prof === 'described') {
    signer = unhex(i.client_id_seed);
    want('client_id', hex(S.edPublic(signer)));
  }
  const sig = S.edSign(signer, tr);
  want('sig', hex(sig));
  if (!S.edVerify(S.edPublic(signer), tr, sig)) p.push('sig does not verify');
  const k = S.sessionKeys(prof, ss, B, A);
  want('hmac_key', hex(k.hmacKey));
  want('aes_key', hex(k.aesKey));
  want('key_id', hex(k.keyId));
  if (prof === 'upstream-v2') {
    want('h3_nonce', '000102030405060708090a0b');
    want('h3', hex(S.confirm(k.aesKey, unhex('000102030405060708090a0b'))));
  }
  const env = { k: 'obj', v: [['type', { k: 'str', v: 'ping' }], ['version', { k: 'str', v: '2.0.1' }],
    ['timestamp', { k: 'str', v: '2026-01-01T00:00:00' }], ['payload', { k: 'obj', v: [] }], ['seq', { k: 'int', v: 0n }]] };
  const j = S.pyDumps(env, true);
  want('ping_hmac_input', j);
  const mac = crypto.createHmac('sha256', k.hmacKey).update(j).digest('hex');
  want('ping_signature', mac);
  env.v.push(['signature', { k: 'str', v: mac }]);
  const wire = S.pyDumps(env);
  want('ping_json', wire);
  const rn = unhex('101112131415161718191a1b');
  want('record_nonce', hex(rn));
  const rec = S.sealRecord(k, 1, 0n, rn, Buffer.from(wire));
  want('record', hex(rec));
  want('record_sha256', crypto.createHash('sha256').update(rec).digest('hex'));
  try {
    const o = S.openRecord(k, prof, unhex(e.record));
    const m = S.parseEnvelope(o.plaintext);
    S.checkSignature(m, k.hmacKey, false);
    S.checkTimestamp(m.timestamp, e.receiver_now);
  } catch (x) {
    p.push(`the record is not accepted at receiver_now: ${x.message}`);
  }
  return p;
}

function codecFields(message, wire, ctx) {
  const keyOf = (c) => ({ aesKey: unhex(c.aes_key), keyId: unhex(c.key_id) });
  switch (message) {
    case 'H1': return S.parseH1(wire);
    case 'H2': return S.parseH2(wire);
    case 'Confirm': return S.parseConfirm(wire);
    case 'D1': return S.parseD1(wire);
    case 'D2': return S.parseD2(wire);
    case 'RecordHeader': {
      const h = S.parseHeader(wire);
      return { version: h.version, payload_type: h.payload_type, offset: h.offset, payload_len: h.payload_len, key_id: h.key_id, nonce: h.nonce, tag: h.tag };
    }
    case 'Record': {
      const o = S.openRecord(keyOf(ctx), ctx.profile, wire);
      return { payload_type: o.header.payload_type, offset: o.header.offset, nonce: o.header.nonce, plaintext: hex(o.plaintext) };
    }
    case 'JsonMessage': {
      const m = S.parseEnvelope(wire);
      return { type: m.type, seq: Number(m.seq), timestamp: m.timestamp, signature: m.signature, wire_json: S.pyDumps(m.value), hmac_input: S.hmacInput(m) };
    }
    case 'Payload': {
      const v = S.parseJson(wire);
      S.checkPayload(ctx.type, v);
      return { dumps: S.pyDumps(v) };
    }
    case 'CanonicalJson': {
      const v = S.parseJson(wire);
      return { dumps: S.pyDumps(v), dumps_sorted: S.pyDumps(v, true) };
    }
  }
  throw new Error(`unknown codec message ${message}`);
}

// Deep equality with key order ignored (the files are canonical; values are what matter).
const same = (a, b) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

function codec(group, test) {
  const p = [];
  let fields = null;
  let err = null;
  try {
    fields = codecFields(group.message, unhex(test.wire), test.context);
  } catch (e) {
    if (!(e instanceof Reject)) throw e;
    err = e;
  }
  if (err) {
    if (test.result !== 'invalid') p.push(`result: ${test.result}, this checker rejects: ${err.message}`);
    else {
      if (test.error !== err.error) p.push(`error: ${test.error}, this checker: ${err.error}`);
      if (test.offset !== err.offset) p.push(`offset: ${test.offset}, this checker: ${err.offset}`);
    }
  } else if (test.result !== 'valid') p.push(`result: ${test.result}, this checker accepts`);
  else if (!same(fields, test.fields)) p.push(`fields: differ (this checker: ${JSON.stringify(fields)})`);
  return p;
}

export function checkDoc(doc) {
  const results = [];
  let count = 0;
  for (const g of doc.testGroups) {
    for (const t of g.tests) {
      count++;
      let problems;
      try {
        if (doc.schema === 'sft/kat.schema.json') problems = kat(t);
        else if (doc.schema === 'sft/codec.schema.json') problems = codec(g, t);
        else if (doc.schema === 'sft/transcript.schema.json') problems = checkTranscript(t);
        else problems = [`unknown schema ${doc.schema}`];
      } catch (e) {
        problems = [`checker error: ${e.stack ?? e}`];
      }
      for (const f of t.flags) if (!(f in doc.notes)) problems.push(`flags: ${f} not in notes`);
      results.push({ tcId: t.tcId, problems });
    }
  }
  if (count !== doc.numberOfTests) results.push({ tcId: 'file', problems: ['numberOfTests does not match'] });
  return results;
}

export const checkFile = (path) => checkDoc(JSON.parse(fs.readFileSync(path, 'utf8')));
