// Test support: the fixed RSA test keys, a PBKDF2 cache (one derivation per salt per run) and an
// in-memory driver that runs a client and a server machine against each other.
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "hivemind/handshake.hpp"

namespace shakedown::hivemind::test {

inline std::string read_text(const std::string& relative) {
    std::ifstream in(std::string(SHAKEDOWN_SOURCE_DIR) + "/" + relative, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
inline std::string key_pem(const std::string& name) { return read_text("vectors/hivemind/keys/" + name + ".pem"); }

// Same inputs, same key: PBKDF2 at 100000 iterations costs tens of milliseconds (more under ASan).
inline PasswordKdf cached_kdf() {
    return [](std::string_view password, const Iv& salt, std::uint32_t iterations) -> Result<SecretBytes> {
        static std::map<std::string, Bytes> cache;
        const std::string id = std::string(password) + "|" + to_hex(salt) + "|" + std::to_string(iterations);
        auto it = cache.find(id);
        if (it == cache.end()) {
            SK_TRY(SecretBytes k, password_key(password, salt, iterations));
            it = cache.emplace(id, Bytes(k.view().begin(), k.view().end())).first;
        }
        return SecretBytes(it->second);
    };
}

inline Config base_config(Role role, Mode mode) {
    Config c;
    c.role = role;
    c.mode = mode;
    c.password = "test-password-123";
    c.crypto_key = "0123456789abcdef";
    c.kdf = cached_kdf();
    if (role == Role::acceptor) {
        c.own_key_pem = key_pem("server_rsa2048");
    } else if (mode == Mode::rsa) {
        c.own_key_pem = key_pem("client_rsa2048");
    }
    return c;
}

// Runs both machines until neither has output; returns the number of units exchanged.
inline std::size_t pump(Machine& client, Machine& server, std::vector<Bytes>* wire = nullptr) {
    std::size_t units = 0;
    for (int round = 0; round < 16; ++round) {
        bool moved = false;
        for (auto& u : server.take_output()) {
            if (wire != nullptr) {
                wire->push_back(u);
            }
            client.receive(u);
            ++units;
            moved = true;
        }
        for (auto& u : client.take_output()) {
            if (wire != nullptr) {
                wire->push_back(u);
            }
            server.receive(u);
            ++units;
            moved = true;
        }
        if (!moved) {
            break;
        }
    }
    return units;
}

}  // namespace shakedown::hivemind::test
