// Known answers for the cryptography the Stellar grader relies on (network ID, AuthCert signing
// hash and signature, the ECDH shared key, the two MAC keys, a message MAC), computed with
// node:crypto alone, written from the derivations of stellar-core src/overlay/PeerAuth.cpp and
// Peer.cpp as stated in impl/stellar/auth.hpp. Nothing here calls Shakedown code, so the answers
// do not come from the reference they check.
//
//   node tests/stellar/kat/make_kat.mjs > tests/stellar/kat/grader_kat.json
import { createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, sign } from 'node:crypto';

const hex = (b) => Buffer.from(b).toString('hex');
const sha256 = (...parts) => createHash('sha256').update(Buffer.concat(parts)).digest();
const hmac = (key, ...parts) => createHmac('sha256', key).update(Buffer.concat(parts)).digest();
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; };
// Inputs: fixed labels hashed, so the file is reproducible and the values look random.
const input = (label) => sha256(Buffer.from(`shakedown/kat/stellar/${label}`));

// RFC 8410 DER wrappers around raw 32-byte keys.
const PKCS8 = { ed25519: '302e020100300506032b657004220420', x25519: '302e020100300506032b656e04220420' };
const SPKI_X25519 = '302a300506032b656e032100';
const privateKey = (kind, raw) =>
  createPrivateKey({ key: Buffer.concat([Buffer.from(PKCS8[kind], 'hex'), raw]), format: 'der', type: 'pkcs8' });
const rawPublic = (key) => createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
const x25519 = (secret, peerPublic) =>
  diffieHellman({
    privateKey: privateKey('x25519', secret),
    publicKey: createPublicKey({ key: Buffer.concat([Buffer.from(SPKI_X25519, 'hex'), peerPublic]), format: 'der', type: 'spki' }),
  });

const ENVELOPE_TYPE_AUTH = 3;
const passphrase = 'Test SDF Network ; September 2015';
const networkId = sha256(Buffer.from(passphrase));
const expiration = 1767229200n;  // 2026-01-01T01:00:00Z

function side(name) {
  const nodeSeed = input(`${name}/node`);
  const ecdhSecret = input(`${name}/ecdh`);
  const node = privateKey('ed25519', nodeSeed);
  const ecdh = privateKey('x25519', ecdhSecret);
  const s = { nodeSeed, ecdhSecret, nonce: input(`${name}/nonce`), nodePublic: rawPublic(node), ecdhPublic: rawPublic(ecdh) };
  // AuthCert: Ed25519 over SHA-256(networkID || int32 ENVELOPE_TYPE_AUTH || uint64 expiration || pubkey).
  s.certHash = sha256(networkId, u32(ENVELOPE_TYPE_AUTH), u64(expiration), s.ecdhPublic);
  s.certSig = sign(null, s.certHash, node);
  return s;
}
const a = side('initiator');  // A
const b = side('acceptor');   // B

// K = HMAC-SHA256(key = 32 zero bytes, X25519 output || pub_A || pub_B); both sides must agree.
const q = x25519(a.ecdhSecret, b.ecdhPublic);
if (!q.equals(x25519(b.ecdhSecret, a.ecdhPublic))) throw new Error('X25519 does not agree');
const shared = hmac(Buffer.alloc(32), q, a.ecdhPublic, b.ecdhPublic);
// K_AB = HMAC(K, 0x00 || nonce_A || nonce_B || 0x01): initiator sends, acceptor receives.
// K_BA = HMAC(K, 0x01 || nonce_B || nonce_A || 0x01): acceptor sends, initiator receives.
const kAB = hmac(shared, Buffer.from([0]), a.nonce, b.nonce, Buffer.from([1]));
const kBA = hmac(shared, Buffer.from([1]), b.nonce, a.nonce, Buffer.from([1]));
// The shared key when the other side's X25519 output is all zero (a low-order key advertised).
const sharedZero = hmac(Buffer.alloc(32), Buffer.alloc(32), a.ecdhPublic, b.ecdhPublic);

// MAC over uint64 sequence || xdr(StellarMessage): AUTH { flags 200 } (type 2) and
// SEND_MORE_EXTENDED { 200, 300000 } (type 20).
const messages = [
  { name: 'AUTH flags 200', key: 'k_ab', sequence: 0n, xdr: Buffer.concat([u32(2), u32(200)]) },
  { name: 'SEND_MORE_EXTENDED {200, 300000}', key: 'k_ba', sequence: 2n, xdr: Buffer.concat([u32(20), u32(200), u32(300000)]) },
  { name: 'sequence 2^64-1, empty body', key: 'k_ab', sequence: 0xffffffffffffffffn, xdr: Buffer.alloc(0) },
];
const keys = { k_ab: kAB, k_ba: kBA };

const sideJson = (s) => ({
  node_seed: hex(s.nodeSeed), ecdh_secret: hex(s.ecdhSecret), nonce: hex(s.nonce),
  node_public: hex(s.nodePublic), ecdh_public: hex(s.ecdhPublic),
  cert_signing_hash: hex(s.certHash), cert_signature: hex(s.certSig),
});
const out = {
  comment: [
    'Known answers for the Stellar grader\'s cryptography, computed by tests/stellar/kat/make_kat.mjs with node:crypto',
    'only (SHA-256, HMAC-SHA256, Ed25519, X25519), from stellar-core\'s PeerAuth derivations. Regenerate with',
    'node tests/stellar/kat/make_kat.mjs > tests/stellar/kat/grader_kat.json',
  ],
  network_passphrase: passphrase,
  network_id: hex(networkId),
  cert_expiration: expiration.toString(),
  initiator: sideJson(a),
  acceptor: sideJson(b),
  x25519_output: hex(q),
  shared_key: hex(shared),
  shared_key_zero_output: hex(sharedZero),
  k_ab: hex(kAB),
  k_ba: hex(kBA),
  message_macs: messages.map((m) => ({
    name: m.name, key: m.key, sequence: m.sequence.toString(), xdr: hex(m.xdr),
    mac: hex(hmac(keys[m.key], u64(m.sequence), m.xdr)),
  })),
};
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
