#include "vectors/gen/stellar/catalogue/cases.hpp"

namespace shakedown::vectors::stellar::cases {

using namespace shakedown::stellar;

void add_certs_and_clocks(Builder& b, const HandshakeBase& base_run) {
    const HelloLayout& hello_i = base_run.hello_i;
    const HelloLayout& hello_a = base_run.hello_a;
    {
        auto in = base();
        in.initiator.cert_expiration = in.acceptor.now - 1;
        b.add("cert expired 1 s before the verifier's now", {"ExpiredCert", "StaleTimestamp"}, in);
    }
    {
        auto in = base();
        in.acceptor.now = in.initiator.now + 3601;
        b.add("verifier's clock 3601 s ahead: cert expired", {"ExpiredCert", "StaleTimestamp"}, in);
    }
    {
        auto in = base();
        in.initiator.cert_expiration = 0;
        b.add("cert expiration 0", {"ExpiredCert"}, in);
    }
    {
        auto in = base();
        in.acceptor.cert_expiration = in.initiator.now - 1;
        b.add("acceptor's cert expired: initiator drops", {"ExpiredCert"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(0, MutationOp::flip_bit, bit(hello_i.sig)));
        b.add("initiator cert signature bit flipped", {"BadCertSignature", "BitFlip"}, in);
    }
    {
        auto in = base();
        in.mutations.push_back(mut(1, MutationOp::flip_bit, bit(hello_a.sig + 63, 0)));
        b.add("acceptor cert signature bit flipped", {"BadCertSignature", "BitFlip"}, in);
    }
    {
        auto in = base();
        in.initiator.cert_network_passphrase = std::string(kPublicPassphrase);
        b.add("cert signed for another network", {"BadCertSignature"}, in);
    }
    {
        auto in = base();
        in.initiator.peer_id = public_of(derive("someone-else/node"));
        b.add("HELLO claims another node's peerID", {"BadCertSignature"}, in);
    }
    {
        auto in = base();
        in.initiator.cert_sig = Bytes(63, 0x5a);
        b.add("cert signature of 63 bytes decodes but fails", {"BadCertSignature"}, in);
    }
    {
        auto in = base();
        in.initiator.cert_sig = Bytes{};
        b.add("empty cert signature", {"BadCertSignature"}, in);
    }
    {
        auto in = base();
        in.initiator.cert_sig = Bytes(65, 0x5a);
        b.add("cert signature of 65 bytes is corrupt XDR (sig<64>)", {"BadCertSignature", "MalformedXdr"}, in);
    }
    {
        auto in = base();
        in.initiator.network_passphrase = std::string(kPublicPassphrase);
        in.initiator.cert_network_passphrase = std::string(kTestNetworkPassphrase);
        b.add("HELLO names another network, cert valid for the verifier's", {"WrongNetwork"}, in);
    }
    {
        auto in = base();
        in.acceptor.network_passphrase = std::string(kPublicPassphrase);
        b.add("different networks: cert check fails first (silent)", {"WrongNetwork", "BadCertSignature"}, in);
    }
}

}  // namespace shakedown::vectors::stellar::cases
