// @stellar/stellar-base as a second, independent XDR decoder/encoder.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { xdr } = require('@stellar/stellar-base');

const TYPES = {
  AuthenticatedMessage: xdr.AuthenticatedMessage,
  StellarMessage: xdr.StellarMessage,
  Hello: xdr.Hello,
  Auth: xdr.Auth,
  AuthCert: xdr.AuthCert,
  Error: xdr.Error,
};

export const oracleKinds = Object.keys(TYPES);

/**
 * Known, explained differences between stellar-base and the pinned spec's
 * codec. Each entry: name, why, and applies(kind, fields|undefined) → bool.
 * A case matched by an entry is not held against either side; the checker
 * lists the entries that applied in its output.
 */
export const ORACLE_EXCEPTIONS = [
  {
    name: 'raw-arm',
    why:
      'the pinned codec keeps StellarMessage arms other than ERROR_MSG, AUTH, HELLO, PEERS, ' +
      'SEND_MORE, SEND_MORE_EXTENDED and GET_SCP_STATE as undecoded bytes; stellar-base decodes ' +
      'them fully (transactions, SCP envelopes, surveys), so arbitrary raw bytes it may reject',
    applies: (kind, fields) => {
      const msg =
        kind === 'AuthenticatedMessage' ? fields?.message : kind === 'StellarMessage' ? fields : undefined;
      return msg !== undefined && msg.body && Object.prototype.hasOwnProperty.call(msg.body, 'raw');
    },
  },
];

/** { ok: true, reencoded: Buffer } or { ok: false, reason } */
export function oracleDecode(kind, buf) {
  const T = TYPES[kind];
  if (!T) throw new Error(`no stellar-base type for ${kind}`);
  let v;
  try {
    v = T.fromXDR(buf);
  } catch (e) {
    return { ok: false, reason: String(e?.message ?? e).split('\n')[0] };
  }
  return { ok: true, reencoded: Buffer.from(v.toXDR()) };
}
