// Two Stellar overlay peers run in step, per `docs/protocols/stellar.md` and the
// "Running in step" rules of vectors/README.md. runTranscript(inputs) returns
// what a transcript case's `expected` must hold (plus the oracle data).
import {
  parse,
  serialize,
  frame,
  XdrError,
  FRAME_MAX,
  FRAME_MAX_UNAUTH,
} from './xdr.mjs';
import {
  edPublic,
  edSign,
  edVerify,
  xPublic,
  networkId,
  certDigest,
  sharedKey,
  macKeys,
  messageMac,
} from './crypto.mjs';

export const AUTH_FLAG_FLOW_CONTROL_BYTES = 200;
const SEND_MORE_EXTENDED = { num_messages: 200, num_bytes: 300000 };
const CERT_LIFETIME = 3600n;

const hexb = (s) => Buffer.from(s, 'hex');
const ZERO_MAC = Buffer.alloc(32);

/** A problem with the case itself (it asks for something undefined). */
export class CaseError extends Error {}

class Side {
  constructor(role, inp, sim) {
    this.role = role;
    this.initiator = role === 'initiator';
    this.inp = inp;
    this.sim = sim;
    this.seed = hexb(inp.node_seed);
    this.ecdhSecret = hexb(inp.ecdh_secret);
    this.nonce = hexb(inp.nonce);
    this.now = BigInt(inp.now);
    this.netId = networkId(inp.network_passphrase);
    this.nodeId = edPublic(this.seed);
    this.ecdhPublic = xPublic(this.ecdhSecret);
    this.connected = new Set(inp.connected_peers ?? []);

    this.closed = false;
    this.authenticated = false;
    this.gotHello = false;
    this.sendSeq = 0n;
    this.recvSeq = 0n;
    this.sendKey = null;
    this.recvKey = null;
    this.outcome = { state: null };
    this.keys = null;
    this.inbuf = null;
  }

  // ------------------------------------------------------------ sending

  helloFields() {
    const inp = this.inp;
    const pubkey = inp.cert_pubkey !== undefined ? hexb(inp.cert_pubkey) : this.ecdhPublic;
    const expiration =
      inp.cert_expiration !== undefined ? BigInt(inp.cert_expiration) : this.now + CERT_LIFETIME;
    const certNet =
      inp.cert_network_passphrase !== undefined
        ? networkId(inp.cert_network_passphrase)
        : this.netId;
    const sig =
      inp.cert_sig !== undefined
        ? hexb(inp.cert_sig)
        : edSign(this.seed, certDigest(certNet, expiration, pubkey));
    return {
      ledger_version: inp.ledger_version,
      overlay_version: inp.overlay_version,
      overlay_min_version: inp.overlay_min_version,
      network_id: this.netId.toString('hex'),
      version_str: inp.version_str,
      listening_port: inp.listening_port,
      peer_id: inp.peer_id !== undefined ? inp.peer_id : this.nodeId.toString('hex'),
      cert: { pubkey: pubkey.toString('hex'), expiration: expiration.toString(), sig: sig.toString('hex') },
      nonce: this.nonce.toString('hex'),
    };
  }

  // HELLO and ERROR_MSG: sequence 0, zero MAC, no sequence number used.
  sendUnauthenticated(type, body) {
    const sm = serialize('StellarMessage', { type, body });
    this.emit(type, sm, 0n, ZERO_MAC);
  }

  sendAuthenticated(type, body) {
    const sm = serialize('StellarMessage', { type, body });
    const seq = this.sendSeq;
    this.sendSeq += 1n;
    this.emit(type, sm, seq, messageMac(this.sendKey, seq, sm));
  }

  emit(type, stellarMessageXdr, seq, mac) {
    const head = Buffer.alloc(12);
    head.writeUInt32BE(0, 0);
    head.writeBigUInt64BE(seq, 4);
    const body = Buffer.concat([head, stellarMessageXdr, mac]);
    this.sim.emit(this, type, frame(body));
  }

  sendError(code, msg) {
    this.sendUnauthenticated('ERROR_MSG', { code, msg });
  }

  // ------------------------------------------------------------ closing

  // A side that completed the handshake stays 'authenticated' when it closes later; the error
  // of that close is reported beside the state (vectors/README.md, OUTCOME).
  close(error, response, atMessage) {
    this.closed = true;
    this.outcome = { state: this.authenticated ? 'authenticated' : 'rejected', error, response };
    if (atMessage !== undefined) this.outcome.at_message = atMessage;
  }

  reject(error, atMessage, code, msg) {
    this.sendError(code, msg);
    this.close(error, code, atMessage);
  }

  // ------------------------------------------------------------ receiving

  // Records arrive as a byte stream: a record mark whose length exceeds the
  // bytes received so far makes the side wait for more (as TCP would).
  receive(bytes, index) {
    if (this.closed) return;
    this.inbuf = this.inbuf ? Buffer.concat([this.inbuf, bytes]) : Buffer.from(bytes);
    while (!this.closed && this.inbuf.length >= 4) {
      // 1. record header, checked before the body is read
      const length = this.inbuf.readUInt32BE(0) & 0x7fffffff;
      if (length === 0) return this.close('bad_length', 'silent', index);
      if (length > FRAME_MAX || (!this.authenticated && length > FRAME_MAX_UNAUTH)) {
        return this.close('oversize', 'silent', index);
      }
      if (this.inbuf.length < 4 + length) return; // wait for the rest
      const body = this.inbuf.subarray(4, 4 + length);
      this.inbuf = this.inbuf.subarray(4 + length);
      this.processRecord(body, index);
    }
  }

  processRecord(body, index) {
    // 2. decode
    let m;
    try {
      m = parse('AuthenticatedMessage', body);
    } catch (e) {
      if (!(e instanceof XdrError)) throw e;
      return this.reject(e.error, index, 'ERR_DATA', 'received corrupt XDR');
    }
    const type = m.message.type;
    // 3. sequence and MAC from the first HELLO on
    if (this.gotHello && type !== 'ERROR_MSG') {
      if (BigInt(m.sequence) !== this.recvSeq) {
        return this.reject('bad_sequence', index, 'ERR_AUTH', 'unexpected auth sequence');
      }
      const sm = body.subarray(12, body.length - 32);
      const mac = messageMac(this.recvKey, this.recvSeq, sm).toString('hex');
      if (mac !== m.mac) return this.reject('bad_mac', index, 'ERR_AUTH', 'unexpected MAC');
      this.recvSeq += 1n;
    }
    // 4. dispatch
    switch (type) {
      case 'ERROR_MSG':
        return this.close('peer_error', 'silent', index);
      case 'HELLO':
        return this.onHello(m.message.body, index);
      case 'AUTH':
        return this.onAuth(m.message.body, index);
      default:
        if (!this.authenticated) return this.close('unexpected_message', 'silent', index);
    }
  }

  onHello(h, index) {
    if (this.gotHello) return this.close('unexpected_message', 'silent', index);
    const expiration = BigInt(h.cert.expiration);
    if (expiration < this.now) return this.close('expired', 'silent', index);
    const certPub = hexb(h.cert.pubkey);
    const digest = certDigest(this.netId, expiration, certPub);
    if (!edVerify(hexb(h.peer_id), digest, hexb(h.cert.sig))) {
      return this.close('bad_signature', 'silent', index);
    }
    const k = sharedKey(this.ecdhSecret, certPub, this.initiator);
    if (k === null) return this.close('weak_key', 'silent', index);
    const remoteNonce = hexb(h.nonce);
    const [nA, nB] = this.initiator ? [this.nonce, remoteNonce] : [remoteNonce, this.nonce];
    const { kAB, kBA } = macKeys(k, nA, nB);
    this.sendKey = this.initiator ? kAB : kBA;
    this.recvKey = this.initiator ? kBA : kAB;
    this.keys = {
      shared_key: k.toString('hex'),
      send_mac_key: this.sendKey.toString('hex'),
      recv_mac_key: this.recvKey.toString('hex'),
    };
    this.gotHello = true;
    this.sendSeq = 0n;
    this.recvSeq = 0n;

    if (!this.initiator) this.sendUnauthenticated('HELLO', this.helloFields());

    const inp = this.inp;
    if (
      h.overlay_min_version > h.overlay_version ||
      h.overlay_version < inp.overlay_min_version ||
      h.overlay_min_version > inp.overlay_version
    ) {
      return this.reject('wrong_version', index, 'ERR_CONF', 'wrong protocol version');
    }
    if (h.peer_id === this.nodeId.toString('hex')) {
      return this.reject('self_connection', index, 'ERR_CONF', 'connecting to self');
    }
    if (h.network_id !== this.netId.toString('hex')) {
      return this.reject('wrong_network', index, 'ERR_CONF', 'wrong network passphrase');
    }
    if (h.listening_port < 1 || h.listening_port > 65535) {
      return this.reject('bad_address', index, 'ERR_CONF', 'bad address');
    }
    if (this.connected.has(h.peer_id)) {
      return this.reject('already_connected', index, 'ERR_CONF', 'already-connected peer');
    }
    if (this.initiator) this.sendAuthenticated('AUTH', { flags: inp.auth_flags });
  }

  onAuth(a, index) {
    if (!this.gotHello || this.authenticated) {
      return this.reject('unexpected_message', index, 'ERR_MISC', 'out-of-order AUTH message');
    }
    if (!this.initiator) {
      this.sendAuthenticated('AUTH', { flags: this.inp.auth_flags });
      this.sendAuthenticated('PEERS', { peers: [] });
    }
    if (a.flags !== AUTH_FLAG_FLOW_CONTROL_BYTES) {
      return this.reject('bad_flags', index, 'ERR_CONF', 'flow control bytes disabled');
    }
    this.authenticated = true;
    this.outcome = { state: 'authenticated' };
    this.sendAuthenticated('SEND_MORE_EXTENDED', SEND_MORE_EXTENDED);
  }

  // the connection closed under a side still waiting
  seeClose() {
    if (this.closed || this.authenticated) return;
    this.closed = true;
    this.outcome = { state: 'peer_closed' };
  }

  timeOut() {
    this.closed = true;
    this.outcome = { state: 'rejected', error: 'timeout', response: 'silent' };
  }

  result() {
    return { ...this.outcome, ...(this.keys ?? {}) };
  }
}

// ---------------------------------------------------------------- mutations

function applyMutations(wire, muts, sender) {
  let items = [{ orig: true, bytes: Buffer.from(wire) }];
  const onOrig = (f) => {
    items = items.map((it) => (it.orig ? { orig: true, bytes: f(Buffer.from(it.bytes)) } : it));
  };
  const reframe = (b, body) => {
    const mark = (b.length >= 4 ? b.readUInt32BE(0) & 0x80000000 : 0x80000000) | body.length;
    const h = Buffer.alloc(4);
    h.writeUInt32BE(mark >>> 0);
    return Buffer.concat([h, body]);
  };
  for (const m of muts) {
    switch (m.op) {
      case 'flip_bit':
        onOrig((b) => {
          if (m.bit >= b.length * 8) throw new CaseError(`flip_bit ${m.bit} beyond the record`);
          b[m.bit >> 3] ^= 0x80 >> (m.bit & 7);
          return b;
        });
        break;
      case 'set_header':
        onOrig((b) => {
          if (b.length < 4) throw new CaseError('set_header on a record shorter than 4 bytes');
          b.writeUInt32BE(m.value >>> 0, 0);
          return b;
        });
        break;
      case 'truncate':
        onOrig((b) => reframe(b, b.subarray(4, 4 + m.length)));
        break;
      case 'append':
        onOrig((b) => reframe(b, Buffer.concat([b.subarray(4), hexb(m.hex)])));
        break;
      case 'drop':
        items = items.filter((it) => !it.orig);
        break;
      case 'duplicate':
        items = items.flatMap((it) => (it.orig ? [it, { orig: true, bytes: Buffer.from(it.bytes) }] : [it]));
        break;
      case 'inject_before': {
        const i = items.findIndex((it) => it.orig);
        const inj = { orig: false, bytes: hexb(m.hex) };
        if (i < 0) items.push(inj);
        else items.splice(i, 0, inj);
        break;
      }
      case 'resequence':
        onOrig((b) => {
          if (!sender.sendKey) throw new CaseError('resequence of a record whose sender has no send key');
          const seq = BigInt(m.sequence);
          if (b.length < 4 + 12 + 32) throw new CaseError('resequence of a record too short to hold a sequence and MAC');
          b.writeBigUInt64BE(seq, 8);
          const sm = b.subarray(16, b.length - 32);
          messageMac(sender.sendKey, seq, sm).copy(b, b.length - 32);
          return b;
        });
        break;
      case 'replace':
        onOrig(() => hexb(m.hex));
        break;
      default:
        throw new CaseError(`unknown mutation op ${m.op}`);
    }
  }
  return items.map((it) => it.bytes);
}

// ---------------------------------------------------------------- running in step

export function runTranscript(inputs) {
  const mutations = inputs.mutations ?? [];
  const sim = {
    records: [], // { from, type, wire, delivered? }
    fifo: [], // { index, to, bytes }
    emit(side, type, wire) {
      const index = this.records.length;
      const rec = { from: side.role, type, wire: wire.toString('hex') };
      const muts = mutations.filter((m) => m.message === index);
      let delivered = [wire];
      if (muts.length) {
        delivered = applyMutations(wire, muts, side);
        rec.delivered = delivered.map((b) => b.toString('hex'));
      }
      this.records.push(rec);
      const to = side.initiator ? sides.acceptor : sides.initiator;
      for (const bytes of delivered) this.fifo.push({ index, to, bytes });
    },
  };
  const sides = {};
  sides.initiator = new Side('initiator', inputs.initiator, sim);
  sides.acceptor = new Side('acceptor', inputs.acceptor, sim);
  const I = sides.initiator;
  const A = sides.acceptor;

  I.sendUnauthenticated('HELLO', I.helloFields());
  const MAX_DELIVERIES = 10000;
  let n = 0;
  while (sim.fifo.length) {
    if (++n > MAX_DELIVERIES) throw new CaseError('transcript does not terminate');
    const { index, to, bytes } = sim.fifo.shift();
    to.receive(bytes, index);
  }
  // FIFO empty: closes are seen, then waiting sides time out, initiator first.
  if (I.closed) A.seeClose();
  if (A.closed) I.seeClose();
  for (const [s, other] of [
    [I, A],
    [A, I],
  ]) {
    if (!s.closed && !s.authenticated) {
      s.timeOut();
      other.seeClose();
    }
  }
  const referenced = mutations.filter((m) => m.message >= sim.records.length);
  if (referenced.length) {
    throw new CaseError(`mutation names record ${referenced[0].message}, which was never emitted`);
  }
  return {
    messages: sim.records,
    initiator: I.result(),
    acceptor: A.result(),
    result:
      I.outcome.state === 'authenticated' &&
      A.outcome.state === 'authenticated' &&
      I.outcome.error === undefined &&
      A.outcome.error === undefined
        ? 'valid'
        : 'invalid',
  };
}
