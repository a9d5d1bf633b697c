// The client's known-servers file: trust on first use of a server's RSA key, pinned afterwards
// (docs/protocols/hivemind.md, "Trust on first use"). One entry a line,
//
//     HOST:PORT SHA256:<64 lowercase hex digits>
//
// the SHA-256 of the key's DER SubjectPublicKeyInfo; blank lines and lines starting with '#' are
// kept as they are. The file is read whole (at most kKnownServersMaxBytes) and replaced whole: a
// new entry is appended to a temporary file in the same folder, flushed to disk and renamed over
// the old one, so a reader never sees half a file.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "hivemind/handshake.hpp"

namespace shakedown::hivemind {

inline constexpr std::size_t kKnownServersMaxBytes = 1 << 20;
inline constexpr std::size_t kKnownServersMaxLine = 1024;

// "SHA256:" and the lowercase hex SHA-256 of the key's DER SubjectPublicKeyInfo (the public part).
[[nodiscard]] std::string key_fingerprint(const crypto::RsaKey& key);

struct KnownServer {
    std::string endpoint;     // HOST:PORT as the client connects to it
    std::string fingerprint;  // key_fingerprint()
    std::size_t line = 0;     // 1-based
};

// What went wrong with the file, typed, naming the file and the line (0: the file as a whole).
struct KnownServersError {
    Error code = Error::decode_error;  // decode_error, oversize, duplicate_key, untrusted_identity, invalid_argument
    std::string path;
    std::size_t line = 0;
    std::string message;
    [[nodiscard]] std::string describe() const;  // "PATH:LINE: MESSAGE" (or "PATH: MESSAGE")
};

class KnownServersFile {
public:
    explicit KnownServersFile(std::string path) : m_path(std::move(path)) {}

    // Reads and checks the whole file; a missing file is an empty store. False, with `error`, for
    // an unreadable or malformed file (nothing is kept from it).
    [[nodiscard]] bool load(KnownServersError& error);
    // Checks text as the file's content, without touching the disk.
    [[nodiscard]] bool parse(std::string_view text, KnownServersError& error);

    [[nodiscard]] const KnownServer* find(std::string_view endpoint) const;
    [[nodiscard]] const std::vector<KnownServer>& entries() const noexcept { return m_entries; }
    [[nodiscard]] const std::string& path() const noexcept { return m_path; }

    // Reads the file again, and: the same key for `endpoint` is kept; none yet adds the entry and
    // replaces the file atomically; another key is untrusted_identity naming its line.
    [[nodiscard]] bool record(std::string_view endpoint, std::string_view fingerprint, KnownServersError& error);

private:
    std::string m_path;
    std::string m_text;
    std::vector<KnownServer> m_entries;
};

// The machine's view of one server in a known-servers file: `endpoint` is the HOST:PORT the
// client connects to. A refusal is reported whole (file, line, both fingerprints) through
// `report`; the machine gets its typed failure.
[[nodiscard]] std::shared_ptr<ServerKeyStore> known_servers_store(std::string path, std::string endpoint,
                                                                  std::function<void(const std::string&)> report);

}  // namespace shakedown::hivemind
