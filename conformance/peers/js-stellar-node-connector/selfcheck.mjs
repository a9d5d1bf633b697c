// Runs two peer.mjs instances against each other on 127.0.0.1 (one acceptor,
// one initiator, different seeds) and checks that each reports HANDSHAKE_OK
// with the other's ed25519 public key. Exit 0 on success, 1 otherwise.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Keypair } = require('@stellar/stellar-base');
const PEER = fileURLToPath(new URL('./peer.mjs', import.meta.url));

const seedA = 'a1'.repeat(32);
const seedB = 'b2'.repeat(32);
const pub = (hex) => Keypair.fromRawEd25519Seed(Buffer.from(hex, 'hex')).rawPublicKey().toString('hex');

function run(args) {
  const p = spawn(process.execPath, [PEER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const waiters = [];
  p.stdout.on('data', (d) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  });
  const lineMatching = (re) => new Promise((resolve) => {
    const check = () => { const m = re.exec(out); if (m) resolve(m); else waiters.push(check); };
    check();
  });
  const exited = new Promise((resolve) => p.on('exit', (code) => resolve({ code, out })));
  return { lineMatching, exited };
}

const acceptor = run(['--role', 'acceptor', '--listen', '127.0.0.1:0', '--seed', seedA, '--timeout-ms', '3000']);
const listening = await Promise.race([
  acceptor.lineMatching(/^LISTENING (\d+)$/m),
  acceptor.exited.then(() => null),
]);
if (!listening) {
  console.log('selfcheck: acceptor exited before listening');
  process.exit(1);
}
const initiator = run(['--role', 'initiator', '--connect', `127.0.0.1:${listening[1]}`, '--seed', seedB,
  '--timeout-ms', '1500']);
const [a, b] = await Promise.all([acceptor.exited, initiator.exited]);

let failed = 0;
function expect(name, res, peerSeed) {
  const want = `HANDSHAKE_OK ${pub(peerSeed)}`;
  const ok = res.code === 0 && res.out.split('\n').includes(want);
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: exit ${res.code}; stdout: ${JSON.stringify(res.out.trim())}`);
}
expect('acceptor', a, seedB);
expect('initiator', b, seedA);
console.log(`${2 - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
