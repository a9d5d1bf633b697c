// The handshake's cryptography on node:crypto (OpenSSL), per `docs/protocols/stellar.md`.
import crypto from 'node:crypto';

const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

export const sha256 = (...parts) => {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

export const hmacSha256 = (key, ...parts) => {
  const h = crypto.createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
};

function need32(b, what) {
  if (!Buffer.isBuffer(b) || b.length !== 32) throw new Error(`${what} must be 32 bytes`);
}

function edPrivate(seed) {
  need32(seed, 'ed25519 seed');
  return crypto.createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

function rawPublic(keyObject) {
  const der = crypto.createPublicKey(keyObject).export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** Ed25519 public key of a 32-byte seed. */
export function edPublic(seed) {
  return rawPublic(edPrivate(seed));
}

export function edSign(seed, msg) {
  return crypto.sign(null, msg, edPrivate(seed));
}

/** false for a wrong-length signature, an unusable public key or a bad signature. */
export function edVerify(pub, msg, sig) {
  if (sig.length !== 64 || pub.length !== 32) return false;
  try {
    const key = crypto.createPublicKey({
      key: Buffer.concat([ED25519_SPKI, pub]),
      format: 'der',
      type: 'spki',
    });
    return crypto.verify(null, msg, key, sig);
  } catch {
    return false;
  }
}

function xPrivate(secret) {
  need32(secret, 'x25519 secret');
  return crypto.createPrivateKey({
    key: Buffer.concat([X25519_PKCS8, secret]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** X25519 public key of a 32-byte secret. */
export function xPublic(secret) {
  return rawPublic(xPrivate(secret));
}

/**
 * X25519(secret, pub). Returns null for the all-zero output (low-order point):
 * OpenSSL refuses it with an error, libsodium returns -1; both mean weak_key.
 */
export function x25519(secret, pub) {
  need32(pub, 'x25519 public key');
  const priv = xPrivate(secret);
  const pubKey = crypto.createPublicKey({
    key: Buffer.concat([X25519_SPKI, pub]),
    format: 'der',
    type: 'spki',
  });
  let out;
  try {
    out = crypto.diffieHellman({ privateKey: priv, publicKey: pubKey });
  } catch (e) {
    // only the derivation itself is allowed to fail this way
    return null;
  }
  if (out.every((b) => b === 0)) return null;
  return out;
}

export function u64be(v) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(v));
  return b;
}

export function i32be(v) {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

/** networkID = SHA-256(passphrase) */
export const networkId = (passphrase) => sha256(Buffer.from(passphrase, 'utf8'));

/** The 32-byte digest the AuthCert signature covers (ENVELOPE_TYPE_AUTH = 3). */
export function certDigest(netId, expiration, pubkey) {
  return sha256(netId, i32be(3), u64be(expiration), pubkey);
}

/**
 * K = HMAC-SHA256(32 zero bytes, X25519 || pub_A || pub_B), A = initiator.
 * Returns null for weak_key.
 */
export function sharedKey(localSecret, remotePub, initiator) {
  const q = x25519(localSecret, remotePub);
  if (q === null) return null;
  const localPub = xPublic(localSecret);
  const [pubA, pubB] = initiator ? [localPub, remotePub] : [remotePub, localPub];
  return hmacSha256(Buffer.alloc(32), q, pubA, pubB);
}

const expand = (k, x) => hmacSha256(k, x, Buffer.from([1]));

/** { kAB, kBA }: K_AB = initiator's send key, K_BA = acceptor's send key. */
export function macKeys(k, nonceA, nonceB) {
  return {
    kAB: expand(k, Buffer.concat([Buffer.from([0]), nonceA, nonceB])),
    kBA: expand(k, Buffer.concat([Buffer.from([1]), nonceB, nonceA])),
  };
}

export function messageMac(key, sequence, stellarMessageXdr) {
  return hmacSha256(key, u64be(sequence), stellarMessageXdr);
}
