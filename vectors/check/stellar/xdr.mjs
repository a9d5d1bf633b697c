// Strict XDR (RFC 4506) reader and writer for the Stellar overlay handshake
// messages, written from `docs/protocols/stellar.md` and vectors/README.md.
//
// parse* functions return the README's "fields" objects; a decode failure
// throws XdrError { error, offset } with the README's error names and offset
// rules. serialize* functions take the same fields objects and return Buffers.

export class XdrError extends Error {
  constructor(error, offset) {
    super(`${error} at ${offset}`);
    this.error = error;
    this.offset = offset;
  }
}

export const MESSAGE_TYPES = {
  ERROR_MSG: 0,
  AUTH: 2,
  DONT_HAVE: 3,
  PEERS: 5,
  GET_TX_SET: 6,
  TX_SET: 7,
  TRANSACTION: 8,
  GET_SCP_QUORUMSET: 9,
  SCP_QUORUMSET: 10,
  SCP_MESSAGE: 11,
  GET_SCP_STATE: 12,
  HELLO: 13,
  SEND_MORE: 16,
  GENERALIZED_TX_SET: 17,
  FLOOD_ADVERT: 18,
  FLOOD_DEMAND: 19,
  SEND_MORE_EXTENDED: 20,
  TIME_SLICED_SURVEY_REQUEST: 21,
  TIME_SLICED_SURVEY_RESPONSE: 22,
  TIME_SLICED_SURVEY_START_COLLECTING: 23,
  TIME_SLICED_SURVEY_STOP_COLLECTING: 24,
};
export const MESSAGE_TYPE_NAMES = Object.fromEntries(
  Object.entries(MESSAGE_TYPES).map(([k, v]) => [v, k]),
);

export const ERROR_CODES = ['ERR_MISC', 'ERR_DATA', 'ERR_CONF', 'ERR_AUTH', 'ERR_LOAD'];
export const IP_TYPES = ['IPv4', 'IPv6'];
const IP_LEN = { IPv4: 4, IPv6: 16 };

export const STRING_MAX = 100; // versionStr<100>, Error msg<100>
export const SIG_MAX = 64; // Signature = opaque<64>
export const PEERS_MAX = 100; // PeerAddress peers<100>

export const FRAME_MAX_UNAUTH = 4096;
export const FRAME_MAX = 16 * 1024 * 1024;

const hex = (b) => Buffer.from(b).toString('hex');

// ---------------------------------------------------------------- reader

export class Reader {
  constructor(buf) {
    this.buf = buf;
    this.pos = 0;
  }
  need(n) {
    if (this.pos + n > this.buf.length) throw new XdrError('truncated', this.buf.length);
  }
  u32() {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  i32() {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64() {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  bytes(n) {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  padding(n) {
    const pad = (4 - (n % 4)) % 4;
    this.need(pad);
    for (let i = 0; i < pad; i++) {
      if (this.buf[this.pos + i] !== 0) throw new XdrError('bad_padding', this.pos + i);
    }
    this.pos += pad;
  }
  fixedOpaque(n) {
    const v = this.bytes(n);
    this.padding(n);
    return v;
  }
  varOpaque(max) {
    const at = this.pos;
    const n = this.u32();
    if (n > max) throw new XdrError('bad_length', at);
    const v = this.bytes(n);
    this.padding(n);
    return v;
  }
  string(max) {
    return decodeString(this.varOpaque(max));
  }
  end() {
    if (this.pos !== this.buf.length) throw new XdrError('trailing_bytes', this.pos);
  }
}

// Strings are byte strings in XDR; the vectors carry them as JSON strings.
// Bytes that are not valid UTF-8 are kept one JSON character per byte.
function decodeString(b) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return Buffer.from(b).toString('latin1');
  }
}

function readAuthCert(r) {
  const pubkey = hex(r.fixedOpaque(32));
  const expiration = r.u64().toString();
  const sig = hex(r.varOpaque(SIG_MAX));
  return { pubkey, expiration, sig };
}

function readNodeId(r) {
  const at = r.pos;
  const t = r.i32();
  if (t !== 0) throw new XdrError('unknown_type', at);
  return hex(r.fixedOpaque(32));
}

function readHello(r) {
  const ledger_version = r.u32();
  const overlay_version = r.u32();
  const overlay_min_version = r.u32();
  const network_id = hex(r.fixedOpaque(32));
  const version_str = r.string(STRING_MAX);
  const listening_port = r.i32();
  const peer_id = readNodeId(r);
  const cert = readAuthCert(r);
  const nonce = hex(r.fixedOpaque(32));
  return {
    ledger_version,
    overlay_version,
    overlay_min_version,
    network_id,
    version_str,
    listening_port,
    peer_id,
    cert,
    nonce,
  };
}

function readAuth(r) {
  return { flags: r.i32() };
}

function readError(r) {
  const at = r.pos;
  const c = r.i32();
  if (c < 0 || c >= ERROR_CODES.length) throw new XdrError('unknown_type', at);
  return { code: ERROR_CODES[c], msg: r.string(STRING_MAX) };
}

function readPeers(r) {
  const at = r.pos;
  const n = r.u32();
  if (n > PEERS_MAX) throw new XdrError('bad_length', at);
  const peers = [];
  for (let i = 0; i < n; i++) {
    const tat = r.pos;
    const t = r.i32();
    if (t < 0 || t >= IP_TYPES.length) throw new XdrError('unknown_type', tat);
    const ip_type = IP_TYPES[t];
    const ip = hex(r.fixedOpaque(IP_LEN[ip_type]));
    const port = r.u32();
    const num_failures = r.u32();
    peers.push({ ip_type, ip, port, num_failures });
  }
  return { peers };
}

// rawEnd: where an undecoded arm ends (the StellarMessage's end inside its
// container); arms other than the handshake ones are kept as raw bytes.
function readStellarMessage(r, rawEnd) {
  const at = r.pos;
  const t = r.i32();
  const type = MESSAGE_TYPE_NAMES[t];
  if (type === undefined) throw new XdrError('unknown_type', at);
  let body;
  switch (type) {
    case 'ERROR_MSG':
      body = readError(r);
      break;
    case 'AUTH':
      body = readAuth(r);
      break;
    case 'HELLO':
      body = readHello(r);
      break;
    case 'PEERS':
      body = readPeers(r);
      break;
    case 'SEND_MORE':
      body = { num_messages: r.u32() };
      break;
    case 'SEND_MORE_EXTENDED':
      body = { num_messages: r.u32(), num_bytes: r.u32() };
      break;
    case 'GET_SCP_STATE':
      body = { ledger_seq: r.u32() };
      break;
    default: {
      const end = rawEnd(r);
      if (end < r.pos) throw new XdrError('truncated', r.buf.length);
      body = { raw: hex(r.bytes(end - r.pos)) };
    }
  }
  return { type, body };
}

function readAuthenticatedMessage(r) {
  const at = r.pos;
  const v = r.u32();
  if (v !== 0) throw new XdrError('unknown_type', at);
  const sequence = r.u64().toString();
  const message = readStellarMessage(r, (rr) => rr.buf.length - 32);
  const mac = hex(r.fixedOpaque(32));
  return { sequence, message, mac };
}

const READERS = {
  AuthCert: readAuthCert,
  Hello: readHello,
  Auth: readAuth,
  Error: readError,
  StellarMessage: (r) => readStellarMessage(r, (rr) => rr.buf.length),
  AuthenticatedMessage: readAuthenticatedMessage,
};

/** Parse one complete message of the given kind; throws XdrError. */
export function parse(kind, buf) {
  const read = READERS[kind];
  if (!read) throw new Error(`unknown message kind ${kind}`);
  const r = new Reader(buf);
  const v = read(r);
  r.end();
  return v;
}

/**
 * Parse a framed record: 4-byte record mark (bit 31 = last fragment, not
 * required), then exactly `length` body bytes. The header is checked before
 * the body is read.
 */
export function parseFrame(buf, authenticated) {
  const r = new Reader(buf);
  const mark = r.u32();
  const length = mark & 0x7fffffff;
  const last_fragment_bit = mark >>> 31 === 1;
  if (length === 0) throw new XdrError('bad_length', 0);
  if (length > FRAME_MAX) throw new XdrError('oversize', 0);
  if (!authenticated && length > FRAME_MAX_UNAUTH) throw new XdrError('oversize', 0);
  const body = hex(r.bytes(length));
  r.end();
  return { length, last_fragment_bit, body };
}

// ---------------------------------------------------------------- writer

export class Writer {
  constructor() {
    this.parts = [];
  }
  u32(v) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    this.parts.push(b);
  }
  i32(v) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
  }
  u64(v) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(v));
    this.parts.push(b);
  }
  raw(b) {
    this.parts.push(Buffer.from(b));
  }
  pad(n) {
    const p = (4 - (n % 4)) % 4;
    if (p) this.parts.push(Buffer.alloc(p));
  }
  fixedOpaque(b, n) {
    b = toBuf(b);
    if (b.length !== n) throw new Error(`fixed opaque: expected ${n} bytes, got ${b.length}`);
    this.raw(b);
    this.pad(n);
  }
  // No bound check: the writer can produce over-bound values on purpose
  // (e.g. a cert_sig override of any length).
  varOpaque(b) {
    b = toBuf(b);
    this.u32(b.length);
    this.raw(b);
    this.pad(b.length);
  }
  string(s) {
    this.varOpaque(encodeString(s));
  }
  result() {
    return Buffer.concat(this.parts);
  }
}

function toBuf(b) {
  return typeof b === 'string' ? Buffer.from(b, 'hex') : Buffer.from(b);
}

function encodeString(s) {
  // inverse of decodeString: a string that is not valid UTF-8 when encoded
  // is never produced by decodeString, so prefer UTF-8 unless the latin1
  // reading round-trips to a non-UTF-8 byte string.
  const u = Buffer.from(s, 'utf8');
  if (/^[\x00-\xff]*$/.test(s)) {
    const l = Buffer.from(s, 'latin1');
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(l);
    } catch {
      return l;
    }
  }
  return u;
}

function writeAuthCert(w, f) {
  w.fixedOpaque(f.pubkey, 32);
  w.u64(f.expiration);
  w.varOpaque(f.sig);
}

function writeHello(w, f) {
  w.u32(f.ledger_version);
  w.u32(f.overlay_version);
  w.u32(f.overlay_min_version);
  w.fixedOpaque(f.network_id, 32);
  w.string(f.version_str);
  w.i32(f.listening_port);
  w.i32(0);
  w.fixedOpaque(f.peer_id, 32);
  writeAuthCert(w, f.cert);
  w.fixedOpaque(f.nonce, 32);
}

function writeAuth(w, f) {
  w.i32(f.flags);
}

function writeError(w, f) {
  const c = ERROR_CODES.indexOf(f.code);
  if (c < 0) throw new Error(`unknown error code ${f.code}`);
  w.i32(c);
  w.string(f.msg);
}

function writeStellarMessage(w, f) {
  const t = MESSAGE_TYPES[f.type];
  if (t === undefined) throw new Error(`unknown message type ${f.type}`);
  w.i32(t);
  const b = f.body;
  switch (f.type) {
    case 'ERROR_MSG':
      return writeError(w, b);
    case 'AUTH':
      return writeAuth(w, b);
    case 'HELLO':
      return writeHello(w, b);
    case 'PEERS':
      w.u32(b.peers.length);
      for (const p of b.peers) {
        const it = IP_TYPES.indexOf(p.ip_type);
        if (it < 0) throw new Error(`unknown ip type ${p.ip_type}`);
        w.i32(it);
        w.fixedOpaque(p.ip, IP_LEN[p.ip_type]);
        w.u32(p.port);
        w.u32(p.num_failures);
      }
      return;
    case 'SEND_MORE':
      return w.u32(b.num_messages);
    case 'SEND_MORE_EXTENDED':
      w.u32(b.num_messages);
      return w.u32(b.num_bytes);
    case 'GET_SCP_STATE':
      return w.u32(b.ledger_seq);
    default:
      return w.raw(toBuf(b.raw));
  }
}

function writeAuthenticatedMessage(w, f) {
  w.u32(0);
  w.u64(f.sequence);
  writeStellarMessage(w, f.message);
  w.fixedOpaque(f.mac, 32);
}

const WRITERS = {
  AuthCert: writeAuthCert,
  Hello: writeHello,
  Auth: writeAuth,
  Error: writeError,
  StellarMessage: writeStellarMessage,
  AuthenticatedMessage: writeAuthenticatedMessage,
};

export function serialize(kind, fields) {
  const write = WRITERS[kind];
  if (!write) throw new Error(`unknown message kind ${kind}`);
  const w = new Writer();
  write(w, fields);
  return w.result();
}

export function serializeFrame(f) {
  const w = new Writer();
  w.u32(((f.last_fragment_bit ? 0x80000000 : 0) | f.length) >>> 0);
  w.raw(toBuf(f.body));
  return w.result();
}

/** Frame an XDR body with bit 31 set. */
export function frame(body) {
  const h = Buffer.alloc(4);
  h.writeUInt32BE((0x80000000 | body.length) >>> 0);
  return Buffer.concat([h, body]);
}
