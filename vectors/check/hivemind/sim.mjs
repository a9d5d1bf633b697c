// Both HiveMind roles as docs/protocols/hivemind.md ("State machines") describes them, driven
// like the transcripts: units are opcode (1 text, 2 binary) || message.
import { HmError, fail, encode, ENCODINGS } from './codecs.mjs';
import * as P from './proto.mjs';
const { J, find, set, dumpJson, parseJson } = P;

const DEFAULT_ENC = ['JSON-B91', 'JSON-Z85B', 'JSON-Z85P', 'JSON-B64', 'JSON-URLSAFE-B64', 'JSON-B32', 'JSON-HEX'];
const CIPHERS = ['AES-GCM', 'CHACHA20-POLY1305'];
const firstCommon = (offer, allowed) => offer.find((x) => allowed.includes(x));

export class Rng {
  constructor(bytes) { this.bytes = bytes; this.pos = 0; }
  take(n) {
    if (this.pos + n > this.bytes.length) throw new Error('scripted randomness ran out');
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return Buffer.from(out);
  }
}

export class Side {
  // cfg: {role, mode, password, cryptoKey, keyPem (private), pinnedPem, binarize, cryptoRequired, encodings, ciphers, knobs}
  constructor(cfg, rng) {
    Object.assign(this, { cfg, rng, state: 'idle', authenticated: false, units: 0, out: [], closure: null,
      salt: null, rsaSecret: null, key: null, encoding: null, cipher: null, binarize: false, received: [], params: null });
    this.knob = (k) => cfg.knobs.includes(k);
  }
  close(code, offset, sent = 'close') {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closure = { error: code, offset: offset ?? null, atMessage: this.units === 0 ? 0 : this.units - 1, sent };
  }
  sendText(m) { this.out.push(Buffer.concat([Buffer.from([1]), Buffer.from(P.serializeMessage(m))])); }
  start() {
    const c = this.cfg;
    if (c.mode === 'password' && c.password === '' && !this.knob('accept-empty-password')) return this.close('bad_credentials', null);
    if (c.mode === 'preshared' && ![16, 24, 32].includes(Buffer.from(c.cryptoKey).length)) return this.close('invalid_argument', null);
    if (!c.keyPem && c.mode === 'rsa') return this.close('invalid_argument', null);
    if (c.role === 'client') { this.state = 'wait_hello'; return; }
    this.iv = this.rng.take(8);
    this.sendText(P.newMessage('hello', J.obj([['pubkey', J.str(c.keyPem ? P.publicPem(c.keyPem) : '')],
      ['peer', J.str('shakedown::1::hivemind::default')], ['node_id', J.str('master:0.0.0.0')]])));
    const pre = c.mode === 'preshared';
    this.sendText(P.newMessage('shake', J.obj([['handshake', J.bool(!pre)], ['min_protocol_version', J.int(!pre && c.cryptoRequired ? 1 : 0)],
      ['max_protocol_version', J.int(1)], ['binarize', J.bool(c.binarize)], ['preshared_key', J.bool(pre)], ['password', J.bool(c.mode === 'password')],
      ['crypto_required', J.bool(c.cryptoRequired)], ['encodings', P.strList(c.encodings)], ['ciphers', P.strList(c.ciphers)]])));
    if (pre) { this.usePsk(); this.state = 'wait_client_hello'; } else this.state = 'wait_offer';
  }
  usePsk() { this.key = Buffer.from(this.cfg.cryptoKey, 'utf8'); this.encoding = 'JSON-HEX'; this.cipher = 'AES-GCM'; }
  receive(unit) {
    if (this.state === 'closed' || this.state === 'idle') return;
    this.units++;
    try { this.onUnit(unit); } catch (e) {
      if (!(e instanceof HmError)) throw e;
      this.close(e.code, e.offset, e.code === 'unknown_type' || e.abort ? 'abort' : 'close');
    }
  }
  onUnit(unit) {
    if (unit.length === 0) fail('truncated', 0);
    if (this.state === 'done' || this.state === 'wait_client_hello') return this.afterHandshake(unit);
    if (unit[0] !== 1) fail('unexpected_message', 0);
    let m;
    try { m = P.parseMessage(unit.subarray(1)); } catch (e) { if (e instanceof HmError) e.abort = true; throw e; }
    ({ wait_hello: () => this.clientHello(m), wait_params: () => this.clientParams(m), wait_choice: () => this.clientChoice(m),
      wait_offer: () => this.serverOffer(m) })[this.state]();
  }
  clientHello(m) {
    if (m.msg_type !== 'hello') fail('unexpected_message', 0);
    const h = P.readServerHello(m.payload);
    if (this.cfg.mode === 'rsa') {
      let pem;
      try { pem = P.publicPem(h.pubkey); } catch { fail('decode_error', m.payload.off); }
      if (h.pubkey.includes('PRIVATE KEY')) fail('decode_error', m.payload.off);
      if (!this.knob('accept-weak-rsa-keys')) P.checkStrength(pem);
      if (this.cfg.pinnedPem && !this.knob('trust-every-key') && P.publicPem(this.cfg.pinnedPem) !== pem) fail('bad_credentials', m.payload.off);
      this.serverPem = pem;
    }
    this.state = 'wait_params';
  }
  clientParams(m) {
    if (m.msg_type !== 'shake') fail('unexpected_message', 0);
    const p = P.readParams(m.payload);
    if (p.min > p.max) fail('wrong_version', m.payload.off);
    this.params = p;
    const c = this.cfg;
    if (c.mode === 'preshared') {
      if (p.min > 0n) fail('wrong_version', 0);
      this.usePsk();
      return this.sendClientHello();
    }
    if (p.max < 1n || !p.handshake) fail('wrong_version', m.payload.off);
    if (c.mode === 'password' && !p.password) fail('negotiation_failed', m.payload.off);
    const offer = [['binarize', J.bool(c.binarize)], ['encodings', P.strList(c.encodings)], ['ciphers', P.strList(c.ciphers)]];
    if (c.mode === 'password') {
      this.iv = this.rng.take(8);
      this.ownEnvelope = P.envelopeOf(c.password, this.iv);
      offer.push(['envelope', J.str(this.ownEnvelope)]);
    } else offer.push(['pubkey', J.str(P.publicPem(c.keyPem))]);
    this.sendText(P.newMessage('shake', J.obj(offer)));
    this.state = 'wait_choice';
  }
  setPasswordKey(peerIv) {
    this.salt = P.xor(this.iv, peerIv);
    if (this.salt.every((b) => b === 0) && !this.knob('accept-reflection')) fail('replay', 0);
    this.key = P.passwordKey(this.cfg.password, this.salt);
  }
  clientChoice(m) {
    if (m.msg_type !== 'shake') fail('unexpected_message', 0);
    const ch = P.readChoice(m.payload);
    const enc = ch.encoding ?? 'JSON-HEX';
    const cipher = ch.cipher ?? 'AES-GCM';
    this.encoding = ENCODINGS.includes(enc) ? enc : null;
    this.cipher = CIPHERS.includes(cipher) ? cipher : null;
    if (!this.encoding || !this.cipher) fail('unknown_type', m.payload.off);
    if (!this.knob('accept-any-choice') &&
        (firstCommon(this.cfg.encodings, this.params.encodings) !== enc || firstCommon(this.cfg.ciphers, this.params.ciphers) !== cipher)) {
      fail('negotiation_failed', m.payload.off);
    }
    this.binarize = this.cfg.binarize && this.params.binarize;
    if (this.cfg.mode === 'password') {
      this.setPasswordKey(P.verifyEnvelope(ch.envelope, this.cfg.password, this.knob('lax-envelope')));
    } else {
      let secret;
      try { secret = P.openRsaEnvelope(ch.envelope, this.serverPem, this.cfg.keyPem); } catch (e) {
        if (!(e instanceof HmError) || e.code !== 'bad_signature' || !this.knob('ignore-bad-signature')) throw e;
        secret = P.openRsaEnvelope(ch.envelope, this.serverPem, this.cfg.keyPem, true);
      }
      this.rsaSecret = secret;
      this.key = secret;
    }
    this.sendClientHello();
  }
  sendClientHello() {
    const c = this.cfg;
    const hello = P.newMessage('hello', J.obj([['pubkey', J.str(c.keyPem ? P.publicPem(c.keyPem) : '')], ['session', J.obj([])], ['site_id', J.str('unknown')]]));
    this.out.push(this.seal(hello));
    this.authenticated = true;
    this.state = 'done';
  }
  serverOffer(m) {
    if (m.msg_type !== 'shake') fail('unexpected_message', 0);
    const o = P.readOffer(m.payload);
    if (o.encodings.some((e) => !ENCODINGS.includes(e))) fail('unknown_type', m.payload.off);
    if (o.ciphers.some((e) => !CIPHERS.includes(e))) fail('unknown_type', m.payload.off);
    const enc = firstCommon(o.encodings, this.cfg.encodings);
    const cipher = firstCommon(o.ciphers, this.cfg.ciphers);
    if (!enc || !cipher) fail('negotiation_failed', m.payload.off);
    Object.assign(this, { encoding: enc, cipher, binarize: this.cfg.binarize && o.binarize });
    let envelope;
    if (this.cfg.mode === 'password') {
      if (o.envelope === undefined) fail('negotiation_failed', m.payload.off);
      let peerIv;
      if (this.knob('skip-envelope-check')) {
        const ivHex = o.envelope.slice(0, 16);
        if (ivHex.length !== 16 || !/^[0-9a-fA-F]*$/.test(ivHex)) fail('decode_error', m.payload.off);
        peerIv = Buffer.from(ivHex, 'hex');
      } else peerIv = P.verifyEnvelope(o.envelope, this.cfg.password, this.knob('lax-envelope'));
      this.setPasswordKey(peerIv);
      envelope = P.envelopeOf(this.cfg.password, this.iv);
    } else if (this.cfg.mode === 'rsa') {
      if (o.pubkey === undefined) fail('negotiation_failed', m.payload.off);
      let pem;
      try { pem = P.publicPem(o.pubkey); } catch { fail('decode_error', m.payload.off); }
      if (o.pubkey.includes('PRIVATE KEY')) fail('decode_error', m.payload.off);
      if (!this.knob('accept-weak-rsa-keys')) P.checkStrength(pem);
      const secret = this.rng.take(32);
      this.rsaSecret = secret;
      this.key = secret;
      const ct = P.oaepEncrypt(pem, secret, this.rng.take(20));
      const sig = P.pssSign(this.cfg.keyPem, ct, this.rng.take(32));
      envelope = Buffer.concat([sig, ct]).toString('hex');
    } else fail('unexpected_message', 0);
    this.sendText(P.newMessage('shake', J.obj([['envelope', J.str(envelope)], ['encoding', J.str(enc)], ['cipher', J.str(cipher)]])));
    this.state = 'wait_client_hello';
  }
  openText(text) {
    let encrypted;
    if (this.knob('ciphertext-substring')) encrypted = text.toString('latin1').includes('ciphertext');
    else { const j = parseJson(text); encrypted = j.k === 'obj' && find(j, 'ciphertext') !== undefined; }
    if (!encrypted) {
      const m = P.parseMessage(text);
      if (this.cfg.cryptoRequired !== false && !this.knob('plaintext-after-handshake')) fail('unexpected_message', 0);
      return { message: m, encrypted: false };
    }
    const s = P.parseJsonFrame(text, this.encoding);
    return { message: P.parseMessage(P.open(this.cipher, this.key, s)), encrypted: true };
  }
  openUnit(unit) {
    if (!this.key || !this.cipher || !this.encoding) fail('unexpected_message', 0);
    if (unit.length === 0) fail('truncated', 0);
    if (unit[0] === 1) return this.openText(unit.subarray(1));
    if (unit[0] !== 2) fail('unknown_type', 0);
    if (!this.binarize) fail('unexpected_message', 0);
    const s = P.parseBinaryFrame(unit.subarray(1), this.cipher);
    const f = P.parseFrame(P.open(this.cipher, this.key, s));
    const m = P.newMessage(P.TYPE_NAMES[f.type]);
    m.metadata = parseJson(Buffer.from(f.metadata));
    if (f.type !== 12) {
      m.payload = parseJson(f.payload);
      if (m.payload.k !== 'obj') fail('wrong_type', 0);
    }
    return { message: m, encrypted: true };
  }
  afterHandshake(unit) {
    const r = this.openUnit(unit);
    if (this.state === 'wait_client_hello') {
      if (r.message.msg_type !== 'hello') fail('unexpected_message', 0);
      P.readClientHello(r.message.payload);
      this.authenticated = true;
      this.state = 'done';
    }
    this.received.push(r);
  }
  seal(m) { return this.sealRaw(this.binarize ? P.serializeFrame(P.TYPE_NAMES.indexOf(m.msg_type), dumpJson(m.metadata), Buffer.from(dumpJson(m.payload))) : Buffer.from(P.serializeMessage(m)), this.binarize); }
  sealRaw(plaintext, binary) {
    const s = P.seal(this.cipher, this.key, this.rng.take(P.nonceSize(this.cipher)), plaintext);
    return binary ? Buffer.concat([Buffer.from([2]), s.nonce, s.ct, s.tag]) : Buffer.concat([Buffer.from([1]), Buffer.from(P.writeJsonFrame(s, this.encoding))]);
  }
  takeOutput() { const o = this.out; this.out = []; return o; }
  outcome() {
    const keys = {};
    if (this.salt) keys.salt = this.salt.toString('hex');
    if (this.rsaSecret) keys.rsa_secret = this.rsaSecret.toString('hex');
    if (this.key) keys.key = this.key.toString('hex');
    const c = this.closure;
    return { authenticated: this.authenticated, error: c ? c.error : null, offset: c ? c.offset : null, atMessage: c ? c.atMessage : null,
      sent: c ? c.sent : null, keys, encoding: this.encoding, cipher: this.cipher, binarize: this.binarize,
      received: this.received.map((r) => P.serializeMessage(r.message)) };
  }
}
