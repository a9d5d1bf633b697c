// Recomputes every expected value of the STT vector files with the independent implementation
// in stt.mjs. checkFile returns {passed, failed, problems}; it never trusts a value it can compute.
import crypto from 'node:crypto';
import {
  Fail, hex, unhex, tlvDecode, tlvEncode, valueJson, parseMessage, serializeMessage, messageFieldsJson,
  parseFrame, serializeFrame, frameJson, Peer, NonceCache, Script, Manager,
} from './stt.mjs';

export function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

class Mismatch extends Error {}
const expect = (got, want, field) => {
  if (!deepEqual(got, want)) throw new Mismatch(`${field}: file says ${JSON.stringify(want)}, computed ${JSON.stringify(got)}`);
};
const attempt = (f) => {
  try { return { ok: f() }; } catch (e) { if (e instanceof Fail) return { fail: e }; throw e; }
};
const expectFailure = (r, test, what) => {
  if (!r.fail) throw new Mismatch(`${what}: accepted, file says ${test.error}`);
  expect(r.fail.code, test.error, 'error');
  expect(r.fail.offset, test.offset, 'offset');
};

const LENIENCY = {
  'tlv-accept-trailing-bytes': { trailing: true },
  'tlv-truncate-short-fields': { truncate: true },
  'tlv-duplicate-keys-overwrite': { dupOverwrite: true },
  'tlv-no-limits': { noLimits: true },
};

function checkTlv(group, t) {
  const wire = unhex(t.wire);
  const r = attempt(() => tlvDecode(wire));
  if (t.result === 'valid') {
    if (!r.ok) throw new Mismatch(`wire: rejected (${r.fail.message})`);
    expect(valueJson(r.ok), t.value, 'value');
    expect(hex(tlvEncode(r.ok)), t.wire, 'wire (re-encoded)');
  } else if (t.knob !== undefined) {
    expectFailure(r, t, 'strict decoder');
    const len = LENIENCY[t.knob];
    if (!len) throw new Mismatch(`knob: unknown ${t.knob}`);
    const lax = attempt(() => tlvDecode(wire, len));
    if (!lax.ok) throw new Mismatch(`knob: rejected (${lax.fail.message})`);
    expect(valueJson(lax.ok), t.lenient_value, 'lenient_value');
  } else {
    expectFailure(r, t, 'wire');
  }
}

function checkMessage(group, t) {
  const wire = unhex(t.wire);
  if (group.type === 'SttFrame') {
    const r = attempt(() => parseFrame(wire));
    if (t.result === 'valid') {
      if (!r.ok) throw new Mismatch(`wire: rejected (${r.fail.message})`);
      expect(frameJson(r.ok), t.frame, 'frame');
      expect(hex(serializeFrame(r.ok)), t.wire, 'wire (re-encoded)');
    } else {
      expectFailure(r, t, 'wire');
    }
    return;
  }
  const r = attempt(() => parseMessage(wire));
  if (t.result === 'valid') {
    if (!r.ok) throw new Mismatch(`wire: rejected (${r.fail.message})`);
    expect(r.ok.type, group.message, 'message');
    expect(messageFieldsJson(r.ok), t.fields, 'fields');
    expect(hex(serializeMessage(r.ok)), t.wire, 'wire (re-encoded)');
  } else {
    expectFailure(r, t, 'wire');
  }
}

function side(s) {
  return {
    node_seed: unhex(s.node_seed), shared_seed: unhex(s.shared_seed), now: s.now,
    send_skew_ms: s.send_skew_ms, timestamp_window_ms: s.timestamp_window_ms, random: unhex(s.random),
  };
}

function typeOf(d) {
  try { return parseMessage(parseFrame(d).payload).type; } catch { return '?'; }
}

function outcome(p) {
  const o = { state: p.authenticated ? 'authenticated' : (p.closure ? 'rejected' : 'pending') };
  if (p.closure) {
    o.error = p.closure.error;
    o.at_message = p.closure.at;
    o.offset = p.closure.offset;
  }
  o.keys = p.keys();
  return o;
}

// The in-step runner of docs/protocols/stt.md ("Vectors"): each round, the initiator's queued
// datagrams then the responder's are delivered; a mutation applies to the k-th datagram sent.
export function runTranscript(inputs) {
  const si = side(inputs.initiator);
  const sr = side(inputs.responder);
  const cache = new NonceCache();
  const expected = {};
  const events = [];
  if (inputs.prior_hellos) {
    expected.prior_accepted = inputs.prior_hellos.map((h) => {
      const earlier = new Peer('responder', sr, new Script(crypto.randomBytes(64)), cache);
      earlier.start();
      earlier.receive(unhex(h));
      return earlier.closure === null;
    });
  }
  const ri = new Script(si.random);
  const rr = new Script(sr.random);
  const peers = [new Peer('initiator', si, ri, cache), new Peer('responder', sr, rr, cache)];
  const names = ['initiator', 'responder'];
  const mutations = new Map((inputs.mutations || []).map((m) => [m.index, m]));
  peers[0].start();
  peers[1].start();
  const messages = [];
  let k = 0;
  const deliver = (to, d) => {
    const wasClosed = peers[to].closure !== null;
    peers[to].receive(d);
    if (!wasClosed && peers[to].closure) {
      events.push({ error: peers[to].closure.error, where: `${names[to]} at message ${peers[to].closure.at}` });
    }
  };
  for (let round = 0; round < 16; round++) {
    let moved = false;
    for (let s = 0; s < 2; s++) {
      for (const d of peers[s].takeOutput()) {
        const index = k++;
        moved = true;
        messages.push({ from: names[s], type: typeOf(d), wire: hex(d) });
        let to = 1 - s;
        let wire = d;
        let times = 1;
        const m = mutations.get(index);
        if (m) {
          if (m.op === 'drop') times = 0;
          else if (m.op === 'duplicate') times = 2;
          else if (m.op === 'reflect') to = s;
          else if (m.op === 'replace') wire = unhex(m.wire);
          else throw new Mismatch(`mutation op ${m.op}`);
        }
        for (let i = 0; i < times; i++) deliver(to, wire);
      }
    }
    if (!moved) break;
  }
  expected.messages = messages;
  if (inputs.data) {
    const frames = [];
    expected.data = inputs.data.map((op, j) => {
      const s = (op.op === 'seal' ? op.from : op.to) === 'initiator' ? 0 : 1;
      const p = peers[s];
      if (op.op === 'seal') {
        if (!p.channel) { frames.push(Buffer.alloc(0)); return { error: 'unexpected_message' }; }
        const rng = s === 0 ? ri : rr;
        const side_ = s === 0 ? si : sr;
        const w = p.channel.seal(unhex(op.payload), op.stream, BigInt(side_.now) * 1000n, rng);
        frames.push(w);
        return { wire: hex(w) };
      }
      const w = Buffer.from(frames[op.frame]);
      if (op.flip_byte !== undefined) w[op.flip_byte] ^= 0x01;
      const r = p.channel ? attempt(() => p.channel.open(w)) : { fail: new Fail('unexpected_message', null, 'no session') };
      if (r.ok) return { payload: hex(r.ok.payload), stream: r.ok.stream };
      events.push({ error: r.fail.code, where: `data operation ${j}` });
      return { error: r.fail.code, offset: r.fail.offset };
    });
  }
  if (ri.unused !== 0 || rr.unused !== 0) throw new Mismatch('inputs: a random script has unused bytes');
  expected.initiator = outcome(peers[0]);
  expected.responder = outcome(peers[1]);
  expected.first_failure = events.length ? events[0] : null;
  return expected;
}

function checkHandshake(group, t) {
  const got = runTranscript(t.inputs);
  for (const key of new Set([...Object.keys(got), ...Object.keys(t.expected)])) {
    expect(got[key], t.expected[key], `expected.${key}`);
  }
  if (t.result === 'valid') {
    if (got.first_failure !== null || got.initiator.state !== 'authenticated' || got.responder.state !== 'authenticated') {
      throw new Mismatch('result: valid, but the run does not authenticate both sides');
    }
  } else {
    if (!got.first_failure) throw new Mismatch('result: invalid, but nothing failed');
    expect(got.first_failure.error, t.error, 'error');
    expect(got.first_failure.where, t.where, 'where');
  }
}

// The manager runner: a HandshakeManager of responders and initiator clients, events in order.
export function runManager(inputs) {
  const sv = inputs.server;
  const serverSide = { node_seed: unhex(sv.node_seed), shared_seed: unhex(sv.shared_seed), now: sv.now, send_skew_ms: 0, timestamp_window_ms: 30000 };
  const rng = new Script(unhex(sv.random));
  const mgr = new Manager(serverSide, rng, sv.max_pending, sv.max_sessions);
  const scripts = [];
  const clients = inputs.clients.map((c) => {
    const s = side(c);
    const r = new Script(s.random);
    scripts.push(r);
    return new Peer('initiator', s, r, new NonceCache());
  });
  const sent = clients.map(() => []);
  const evJson = (ev) => ({
    created: ev.created, evicted: ev.evicted, completed: ev.completed,
    failure: ev.failure ? { error: ev.failure.error, offset: ev.failure.offset } : null,
    replies: ev.replies.map(hex),
  });
  const events = inputs.events.map((e) => {
    switch (e.op) {
      case 'start': clients[e.client].start(); return {};
      case 'deliver': case 'resend': {
        let ds;
        if (e.op === 'deliver') { ds = clients[e.client].takeOutput(); sent[e.client].push(...ds); }
        else ds = [sent[e.client][e.index]];
        return {
          datagrams: ds.map((d) => {
            const ev = mgr.receive(e.from, d);
            for (const r of ev.replies) clients[e.client].receive(r);
            return evJson(ev);
          }),
        };
      }
      case 'send': return { datagrams: [evJson(mgr.receive(e.from, unhex(e.wire)))] };
      case 'advance': serverSide.now += e.seconds; return { expired: mgr.expire() };
      case 'query': { const sid = mgr.sessionId(e.address); return { complete: mgr.isComplete(e.address), session_id: sid ? hex(sid) : null }; }
      default: throw new Mismatch(`event op ${e.op}`);
    }
  });
  if (rng.unused !== 0 || scripts.some((s) => s.unused !== 0)) throw new Mismatch('inputs: a random script has unused bytes');
  return { events, pending: mgr.pending(), size: mgr.entries.size, clients: clients.map(outcome) };
}

function checkManager(group, t) {
  const got = runManager(t.inputs);
  for (const key of new Set([...Object.keys(got), ...Object.keys(t.expected)])) {
    expect(got[key], t.expected[key], `expected.${key}`);
  }
  if (t.result !== 'valid') throw new Mismatch('result: manager cases are valid runs');
}

const CHECKERS = {
  'stt_tlv.schema.json': checkTlv,
  'stt_messages.schema.json': checkMessage,
  'stt_handshake.schema.json': checkHandshake,
  'stt_manager.schema.json': checkManager,
};

export function checkFile(file, label) {
  const out = { passed: 0, failed: 0, problems: [] };
  const check = CHECKERS[file.schema];
  if (!check || file.variant !== 'stt') {
    out.failed++;
    out.problems.push(`${label}: unknown schema ${file.schema}`);
    return out;
  }
  let count = 0;
  const ids = new Set();
  for (const group of file.testGroups) {
    for (const t of group.tests) {
      count++;
      try {
        if (ids.has(t.tcId)) throw new Mismatch('tcId: duplicate');
        ids.add(t.tcId);
        for (const f of t.flags) if (!(f in file.notes)) throw new Mismatch(`flags: ${f} not in notes`);
        check(group, t);
        out.passed++;
      } catch (e) {
        out.failed++;
        out.problems.push(`${label}: tcId ${t.tcId}: ${e.message}`);
      }
    }
  }
  if (count !== file.numberOfTests) {
    out.failed++;
    out.problems.push(`${label}: numberOfTests ${file.numberOfTests}, found ${count}`);
  }
  return out;
}
