// Replays an SFT transcript vector with this checker's own model of both ends: recomputes every
// unaltered wire message from the inputs (keys, signatures, nonces, JSON, records), and decides
// for every delivered message what its receiver must do, then compares with the vector.
import crypto from 'node:crypto';
import * as S from './sftjs.mjs';

const { hex, unhex, Reject } = S;
const MAX_FILE = 10n * 1024n * 1024n * 1024n;

function side(role, inp, prof) {
  const secret = unhex(inp.eph_secret);
  const s = {
    role, prof, secret, ephPub: S.x25519Public(secret), idSeed: unhex(inp.identity_seed),
    peerIdentity: inp.peer_identity === null ? null : unhex(inp.peer_identity), nonceSeed: unhex(inp.nonce_seed),
    draws: 0, clock: inp.now, start: inp.now, knobs: new Set(inp.knobs), buf: Buffer.alloc(0),
    state: prof === 'upstream-v2' ? (role === 'initiator' ? 'h2' : 'h1') : (role === 'initiator' ? 'd1' : 'd2'),
    keys: null, ss: null, peerEph: null, serverId: null, h3nonce: null, sentNonces: new Set(), dataNonces: new Set(),
    jsonSent: 0, lastSeq: -1n, seenSeq: new Set(), hashes: [], jsonTimes: [], error: null, at: null, closed: false,
    authenticated: false, handshakeSent: 0, pendingHeader: null, incoming: null, awaitingList: false, download: null,
    receivedHeaderHash: new Map(),
  };
  s.idPub = S.edPublic(s.idSeed);
  return s;
}

const nextNonce = (s) => S.nonceDraw(s.nonceSeed, s.draws++);

function fail(s, error, at) {
  if (s.closed) return;
  s.closed = true;
  s.error = error;
  s.at = at;
}

function derive(s, serverEph, clientEph) {
  s.keys = S.sessionKeys(s.prof, s.ss, serverEph, clientEph);
}

// Handshake input: returns true when a message was consumed.
function stepHandshake(s, at) {
  const up = s.prof === 'upstream-v2';
  const takeFields = (sizes) => {
    let i = 0;
    const out = [];
    for (const want of sizes) {
      if (s.buf.length - i < 4) return null;
      const len = s.buf.readUInt32BE(i);
      if (len === 0 || (len !== want && !s.knobs.has('accept-any-length-prefix'))) throw new Reject('bad_length', i);
      i += 4;
      if (s.buf.length - i < len) return null;
      out.push(s.buf.subarray(i, i + len));
      i += len;
    }
    s.buf = s.buf.subarray(i);
    return out;
  };
  const takeFixed = (n) => {
    if (s.buf.length < n) return null;
    const b = s.buf.subarray(0, n);
    s.buf = s.buf.subarray(n);
    return b;
  };
  if (s.state === 'h1') {
    const f = takeFields([32]);
    if (!f) return false;
    if (f[0].length !== 32) throw new Reject('bad_length');
    s.peerEph = Buffer.from(f[0]);
    s.ss = S.x25519(s.secret, s.peerEph);
    derive(s, s.ephPub, s.peerEph);
    s.state = 'h3';
    return true;
  }
  if (s.state === 'h2') {
    const f = takeFields([32, 32, 64]);
    if (!f) return false;
    if (f[1].length !== 32 || !S.edVerify(f[1], Buffer.concat([s.ephPub, f[0]]), f[2])) throw new Reject('bad_signature');
    if (s.peerIdentity && !s.knobs.has('no-identity-check') && !s.peerIdentity.equals(f[1])) throw new Reject('untrusted_identity');
    if (f[0].length !== 32) throw new Reject('bad_length');
    s.peerEph = Buffer.from(f[0]);
    s.ss = S.x25519(s.secret, s.peerEph);
    derive(s, s.peerEph, s.ephPub);
    s.state = 'h4';
    return true;
  }
  if (s.state === 'h3' || s.state === 'h4') {
    const f = takeFields([35]);
    if (!f) return false;
    if (f[0].length !== 35) throw new Reject('bad_mac');
    const nonce = f[0].subarray(0, 12);
    if (s.state === 'h4' && !s.knobs.has('accept-reflected-confirmation') && nonce.equals(s.h3nonce)) throw new Reject('replay');
    const pt = S.gcmOpen(s.keys.aesKey, nonce, Buffer.alloc(0), f[0].subarray(28), f[0].subarray(12, 28));
    if (pt === null) throw new Reject('bad_mac');
    if (pt.toString('latin1') !== 'AUTH_OK') throw new Reject('unexpected_message');
    s.state = 'established';
    s.authenticated = true;
    return true;
  }
  if (s.state === 'd1') {
    const b = takeFixed(64);
    if (!b) return false;
    const eph = b.subarray(0, 32);
    const id = b.subarray(32);
    if (!s.knobs.has('no-identity-check') && (!s.peerIdentity || !s.peerIdentity.equals(id))) throw new Reject('untrusted_identity');
    s.peerEph = Buffer.from(eph);
    s.serverId = Buffer.from(id);
    s.ss = S.x25519(s.secret, s.peerEph);
    derive(s, s.peerEph, s.ephPub);
    s.state = 'established';
    s.authenticated = true;
    return true;
  }
  if (s.state === 'd2') {
    const b = takeFixed(96);
    if (!b) return false;
    const eph = Buffer.from(b.subarray(0, 32));
    const ss = S.x25519(s.secret, eph);
    if (!s.peerIdentity) throw new Reject('untrusted_identity');
    if (!S.edVerify(s.peerIdentity, S.transcript('described', eph, s.ephPub, s.idPub), b.subarray(32))) throw new Reject('bad_signature');
    s.peerEph = eph;
    s.ss = ss;
    derive(s, s.ephPub, s.peerEph);
    s.state = 'established';
    s.authenticated = true;
    return true;
  }
  return false;
}

function stepRecord(s) {
  if (s.buf.length < 65) return false;
  const h = S.parseHeader(s.buf.subarray(0, 65));
  if (s.buf.length < 65 + h.payload_len) return false;
  const rec = s.buf.subarray(0, 65 + h.payload_len);
  s.buf = s.buf.subarray(65 + h.payload_len);
  const { plaintext } = S.openRecord(s.keys, s.prof, rec);
  const nonce = hex(rec.subarray(37, 49));
  if (!s.knobs.has('accept-reflected-record') && s.sentNonces.has(nonce)) throw new Reject('replay', 37);
  if (h.payload_type === 2) {
    if (!s.knobs.has('accept-data-replay')) {
      if (s.dataNonces.has(nonce)) throw new Reject('replay', 37);
      s.dataNonces.add(nonce);
    }
    const inc = s.incoming;
    if (!inc) return true;
    const off = BigInt(h.offset);
    const len = BigInt(plaintext.length);
    let at = inc.next;
    if (s.knobs.has('no-data-bounds')) at = inc.resumed ? inc.next : off;
    else {
      if (off !== inc.next) throw new Reject('bad_sequence', 9);
      if (len > inc.total - off) throw new Reject('oversize', 17);
    }
    if (at + len > inc.next) inc.next = at + len;
    return true;
  }
  // J1..J6
  s.jsonTimes = s.jsonTimes.filter((t) => t + 60 > s.clock);
  s.jsonTimes.push(s.clock);
  if (s.jsonTimes.length > 100) throw new Reject('rate_limited');
  const digest = crypto.createHash('sha256').update(plaintext).digest('hex');
  if (s.hashes.includes(digest)) throw new Reject('replay');
  s.hashes.push(digest);
  if (s.hashes.length > 1000) s.hashes.shift();
  const env = S.parseEnvelope(plaintext, s.knobs.has('accept-float-seq'));
  if (s.seenSeq.has(env.seq)) throw new Reject('replay');
  if (env.seq <= s.lastSeq || env.seq > s.lastSeq + 100n) throw new Reject('bad_sequence');
  S.checkSignature(env, s.keys.hmacKey, s.knobs.has('hmac-optional'));
  S.checkTimestamp(env.timestamp, s.clock);
  s.seenSeq.add(env.seq);
  s.lastSeq = env.seq;
  onMessage(s, env);
  return true;
}

// The payloads a receiver acts on are parsed strictly (docs/protocols/sft.md §7).
function onMessage(s, env) {
  const server = s.role === 'acceptor';
  const t = env.type;
  if (t === 'list_files_response') {
    if (server || !s.awaitingList) return;
    S.checkPayload(t, env.payload);
    s.awaitingList = false;
    return;
  }
  if (t === 'download_file_request' && !server) return;
  if (!['file_header', 'file_complete', 'download_file_request', 'file_resume_ack', 'file_ack'].includes(t)) return;
  const p = S.checkPayload(t, env.payload);
  if (t === 'file_header') {
    if (!server) {
      if (s.download !== p.filename) return;
      s.download = null;
    }
    if (p.total_size > MAX_FILE) {
      s.sayOnClose = true;
      throw new Reject('oversize');
    }
    s.pendingHeader = p;
  } else if (t === 'file_complete') {
    if (s.incoming && s.incoming.filename === p.filename) s.incoming = null;
  }
}

// What a sender's own message tells the model about the sender's state.
function noteSent(s, env) {
  if (env.type === 'file_resume_ack' && s.pendingHeader) {
    const p = S.checkPayload('file_resume_ack', env.payload);
    s.incoming = { filename: s.pendingHeader.filename, total: s.pendingHeader.total_size, next: p.offset, resumed: p.offset > 0n };
    s.receivedHeaderHash.set(s.pendingHeader.filename, s.pendingHeader.hash);
    s.pendingHeader = null;
  }
  if (env.type === 'list_files_request') s.awaitingList = true;
  if (env.type === 'download_file_request') s.download = S.checkPayload('download_file_request', env.payload).filename;
}

export function checkTranscript(test) {
  const problems = [];
  const bad = (what) => problems.push(what);
  const inp = test.inputs;
  const prof = inp.profile;
  const up = prof === 'upstream-v2';
  if (inp.steps.some((st) => st.op === 'advance')) return ['inputs.steps: advance is not modelled by this checker'];
  const C = side('initiator', inp.client, prof);
  const Sv = side('acceptor', inp.server, prof);
  const sides = { initiator: C, acceptor: Sv };
  const msgs = test.expected.messages;
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    const from = sides[m.from];
    const to = m.from === 'initiator' ? Sv : C;
    const muts = inp.mutations.filter((x) => x.message === i);
    const altered = muts.some((x) => !['duplicate', 'reflect', 'drop', 'set_clock'].includes(x.op));
    const wire = unhex(m.wire);
    const where = `messages[${i}]`;
    // 1. The sender: recompute the message as it left the sender.
    const hsCount = up ? 2 : 1;
    let original = null;
    try {
      if (from.handshakeSent < hsCount) {
        const n = from.handshakeSent++;
        const kinds = up ? (from.role === 'initiator' ? ['H1', 'H3'] : ['H2', 'H4']) : [from.role === 'initiator' ? 'D2' : 'D1'];
        if (m.kind !== kinds[n]) bad(`${where}.kind: ${m.kind}, expected ${kinds[n]}`);
        if (m.kind === 'H1') original = S.field(from.ephPub);
        else if (m.kind === 'H2') original = Buffer.concat([S.field(from.ephPub), S.field(from.idPub), S.field(S.edSign(from.idSeed, Buffer.concat([from.peerEph, from.ephPub])))]);
        else if (m.kind === 'H3' || m.kind === 'H4') {
          const nonce = nextNonce(from);
          if (m.kind === 'H3') from.h3nonce = nonce;
          original = S.confirm(from.keys.aesKey, nonce);
        } else if (m.kind === 'D1') original = Buffer.concat([from.ephPub, from.idPub]);
        else if (m.kind === 'D2') original = Buffer.concat([from.ephPub, S.edSign(from.idSeed, S.transcript('described', from.ephPub, from.peerEph, from.serverId))]);
      } else {
        const nonce = nextNonce(from);
        from.sentNonces.add(hex(nonce));
        if (m.kind.startsWith('JSON')) from.jsonSent++;
        if (!altered) {
          try {
            const { header, plaintext } = S.openRecord(from.keys, prof, wire);
            if (header.nonce !== hex(nonce)) bad(`${where}: nonce is not the sender's draw ${from.draws - 1}`);
            if (header.payload_type === 1) {
              const env = S.parseEnvelope(plaintext);
              if (m.kind !== 'JSON:' + env.type) bad(`${where}.kind: ${m.kind} but the record holds ${env.type}`);
              if (env.seq !== BigInt(from.jsonSent - 1)) bad(`${where}: seq ${env.seq}, expected ${from.jsonSent - 1}`);
              if (env.timestamp !== S.formatLocal(from.clock)) bad(`${where}: timestamp ${env.timestamp} is not the sender's clock`);
              if (S.pyDumps(env.value) !== plaintext.toString('utf8')) bad(`${where}: plaintext is not Python's json.dumps form`);
              if (get(env.value, 'version') !== '2.0.1') bad(`${where}: version`);
              S.checkSignature(env, from.keys.hmacKey, false);
              noteSent(from, env);
            } else if (m.kind !== 'DATA') bad(`${where}.kind: ${m.kind} but the record is DATA`);
            original = S.sealRecord(from.keys, header.payload_type, BigInt(header.offset), nonce, plaintext);
          } catch (e) {
            bad(`${where}: the sender's record does not open: ${e.message}`);
          }
        }
      }
    } catch (e) {
      if (!(e instanceof Reject) && !(e instanceof TypeError)) throw e;
      bad(`${where}: the sender could not have sent this: ${e.message}`);
    }
    // 2. The mutations, as documented in the file header.
    let expectWire = original;
    let target = to;
    let times = 1;
    for (const x of muts) {
      const arg = BigInt(x.arg);
      switch (x.op) {
        case 'flip_bit': if (expectWire) { expectWire = Buffer.from(expectWire); expectWire[Number(arg / 8n)] ^= 0x80 >> Number(arg % 8n); } break;
        case 'replace': expectWire = unhex(x.bytes); break;
        case 'truncate': if (expectWire) expectWire = expectWire.subarray(0, Number(arg)); break;
        case 'append': if (expectWire) expectWire = Buffer.concat([expectWire, unhex(x.bytes)]); break;
        case 'patch': if (expectWire) { expectWire = Buffer.from(expectWire); unhex(x.bytes).copy(expectWire, Number(arg)); } break;
        case 'drop': times = 0; break;
        case 'duplicate': times = 2; break;
        case 'reflect': target = from; break;
        case 'set_clock': target.clock = Number(arg); break;
        case 'forge_json': expectWire = S.sealRecord(from.keys, 1, 0n, unhex(x.nonce), Buffer.from(x.text, 'utf8')); break;
        case 'forge_data': expectWire = S.sealRecord(from.keys, 2, arg, unhex(x.nonce), unhex(x.bytes)); break;
        case 'forge_type': expectWire = S.sealRecord(from.keys, Number(arg & 0xffn), 0n, unhex(x.nonce), unhex(x.bytes)); break;
        default: bad(`${where}: unknown mutation ${x.op}`);
      }
    }
    if (expectWire && !expectWire.equals(wire)) bad(`${where}.wire: differs from the recomputed message`);
    if (!expectWire && muts.length === 0) bad(`${where}: could not be recomputed`);
    // 3. The receiver.
    const deliverable = times > 0 && !target.closed;
    if (m.delivered !== deliverable && !(m.delivered === false && deliverable && (C.closed || Sv.closed))) {
      bad(`${where}.delivered: ${m.delivered}, expected ${deliverable}`);
    }
    if (!m.delivered) continue;
    for (let k = 0; k < times && !target.closed; k++) {
      if (target.state !== 'established' && !target.knobs.has('no-handshake-deadline') && target.clock > target.start + 30) {
        fail(target, 'timeout', i);
        break;
      }
      target.buf = Buffer.concat([target.buf, wire]);
      try {
        for (;;) {
          const consumed = target.state === 'established' ? stepRecord(target) : stepHandshake(target, i);
          if (!consumed) break;
        }
      } catch (e) {
        if (!(e instanceof Reject)) throw e;
        fail(target, e.error, i);
      }
    }
  }
  // 4. Outcomes.
  for (const [name, s] of [['client', C], ['server', Sv]]) {
    const o = test.expected[name];
    if (o.error !== s.error) bad(`expected.${name}.error: ${o.error}, this checker: ${s.error}`);
    if (s.error !== null && o.at_message !== s.at) bad(`expected.${name}.at_message: ${o.at_message}, this checker: ${s.at}`);
    if (o.authenticated !== s.authenticated) bad(`expected.${name}.authenticated: ${o.authenticated}, this checker: ${s.authenticated}`);
    const keys = {};
    if (s.ss) keys.shared_secret = hex(s.ss);
    if (s.keys) Object.assign(keys, { hmac_key: hex(s.keys.hmacKey), aes_key: hex(s.keys.aesKey), key_id: hex(s.keys.keyId) });
    if (JSON.stringify(keys) !== JSON.stringify(o.keys)) bad(`expected.${name}.keys: differ from this checker's derivation`);
    // A file the receiver acknowledged without error hashes to what its file_header said.
    for (const ev of o.events) {
      if (!ev.ok || !(ev.what === 'received' || ev.what === 'download')) continue;
      const want = s.receivedHeaderHash.get(ev.filename);
      const have = o.files[ev.filename];
      if (want && have !== undefined && crypto.createHash('sha256').update(unhex(have)).digest('hex') !== want) {
        bad(`expected.${name}.files.${ev.filename}: SHA-256 is not the file_header's hash`);
      }
    }
  }
  if (test.result === 'invalid') {
    const s = test.role === 'initiator' ? C : Sv;
    if (s.error !== test.error || s.at !== test.at_message) bad(`error: ${test.role} should fail ${test.error} at ${test.at_message}; this checker: ${s.error} at ${s.at}`);
  } else if (C.error || Sv.error) {
    bad(`result: valid, but this checker fails ${C.error ?? Sv.error}`);
  }
  return problems;
}

function get(obj, key) {
  const v = obj.v.find(([k]) => k === key)?.[1];
  return v && v.k === 'str' ? v.v : undefined;
}
