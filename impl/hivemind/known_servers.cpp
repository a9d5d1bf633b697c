#include "hivemind/known_servers.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "common/bytes.hpp"

namespace shakedown::hivemind {

namespace {

constexpr std::string_view kFingerprintPrefix = "SHA256:";

bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

// HOST:PORT, HOST a name or address without blanks (an IPv6 one in brackets), PORT 1..65535 in
// its shortest decimal form. The empty string when it is one; otherwise why not.
std::string endpoint_problem(std::string_view e) {
    const auto colon = e.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        return "expected HOST:PORT";
    }
    const std::string_view host = e.substr(0, colon);
    const std::string_view port = e.substr(colon + 1);
    if (host.front() == '[' ? host.size() < 3 || host.back() != ']' : host.find(':') != std::string_view::npos) {
        return "an IPv6 host must be in brackets, as [::1]:PORT";
    }
    if (port.empty() || port.size() > 5 || port.front() == '0') {
        return "the port must be a number from 1 to 65535";
    }
    std::uint32_t value = 0;
    for (const char c : port) {
        if (c < '0' || c > '9') {
            return "the port must be a number from 1 to 65535";
        }
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (value > 65535) {
        return "the port must be a number from 1 to 65535";
    }
    return {};
}

bool valid_fingerprint(std::string_view f) {
    if (f.size() != kFingerprintPrefix.size() + 64 || f.substr(0, kFingerprintPrefix.size()) != kFingerprintPrefix) {
        return false;
    }
    for (const char c : f.substr(kFingerprintPrefix.size())) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

std::string errno_text() { return std::strerror(errno); }

// Writes `text` to a new file beside `path`, flushes it to disk and renames it over `path`.
bool replace_file(const std::string& path, std::string_view text, std::string& why) {
    static std::atomic<unsigned> counter{0};
    const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        why = "cannot create " + tmp + ": " + errno_text();
        return false;
    }
    std::size_t done = 0;
    bool ok = true;
    while (ok && done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            why = "cannot write " + tmp + ": " + errno_text();
            ok = false;
        } else {
            done += static_cast<std::size_t>(n);
        }
    }
    if (ok && ::fsync(fd) != 0) {
        why = "cannot flush " + tmp + ": " + errno_text();
        ok = false;
    }
    if (::close(fd) != 0 && ok) {
        why = "cannot close " + tmp + ": " + errno_text();
        ok = false;
    }
    if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
        why = "cannot rename " + tmp + " to " + path + ": " + errno_text();
        ok = false;
    }
    if (!ok) {
        (void)::unlink(tmp.c_str());
        return false;
    }
    // The rename itself reaches the disk with the folder (best effort: not every file system can).
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)::fsync(dfd);
        (void)::close(dfd);
    }
    return true;
}

}  // namespace

std::string key_fingerprint(const crypto::RsaKey& key) {
    const auto digest = crypto::sha256(crypto::rsa_public_der(key));
    return std::string(kFingerprintPrefix) + to_hex(digest);
}

std::string KnownServersError::describe() const {
    return path + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + message;
}

bool KnownServersFile::parse(std::string_view text, KnownServersError& error) {
    m_entries.clear();
    m_text.clear();
    const auto problem = [&](Error code, std::size_t line, std::string message) {
        error = KnownServersError{code, m_path, line, std::move(message)};
        m_entries.clear();
        return false;
    };
    if (text.size() > kKnownServersMaxBytes) {
        return problem(Error::oversize, 0,
                       "larger than " + std::to_string(kKnownServersMaxBytes) + " bytes (" +
                           std::to_string(text.size()) + ")");
    }
    std::size_t start = 0;
    std::size_t number = 0;
    while (start < text.size()) {
        ++number;
        const auto newline = text.find('\n', start);
        const std::string_view line =
            text.substr(start, newline == std::string_view::npos ? std::string_view::npos : newline - start);
        start = newline == std::string_view::npos ? text.size() : newline + 1;
        if (line.size() > kKnownServersMaxLine) {
            return problem(Error::oversize, number,
                           "line longer than " + std::to_string(kKnownServersMaxLine) + " characters");
        }
        for (std::size_t i = 0; i < line.size(); ++i) {
            const auto c = static_cast<unsigned char>(line[i]);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return problem(Error::decode_error, number,
                               "control character " + to_hex(ByteView(&c, 1)) + " at column " + std::to_string(i + 1));
            }
        }
        if (!line.empty() && line.front() == '#') {
            continue;
        }
        std::vector<std::string_view> fields;
        std::size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && is_blank(line[i])) {
                ++i;
            }
            const std::size_t b = i;
            while (i < line.size() && !is_blank(line[i])) {
                ++i;
            }
            if (i > b) {
                fields.push_back(line.substr(b, i - b));
            }
        }
        if (fields.empty()) {
            continue;
        }
        if (fields.size() != 2) {
            return problem(Error::decode_error, number,
                           "expected 'HOST:PORT SHA256:<64 hex digits>', found " + std::to_string(fields.size()) +
                               " field(s)");
        }
        if (const auto why = endpoint_problem(fields[0]); !why.empty()) {
            return problem(Error::decode_error, number, "'" + std::string(fields[0]) + "': " + why);
        }
        if (!valid_fingerprint(fields[1])) {
            return problem(Error::decode_error, number,
                           "the key fingerprint must be SHA256: and 64 lowercase hex digits, not '" +
                               std::string(fields[1].substr(0, 80)) + "'");
        }
        if (const auto* earlier = find(fields[0])) {
            return problem(Error::duplicate_key, number,
                           std::string(fields[0]) + " is already on line " + std::to_string(earlier->line));
        }
        m_entries.push_back(KnownServer{std::string(fields[0]), std::string(fields[1]), number});
    }
    m_text = std::string(text);
    return true;
}

bool KnownServersFile::load(KnownServersError& error) {
    m_entries.clear();
    m_text.clear();
    const int fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            return true;  // nothing known yet
        }
        error = KnownServersError{Error::invalid_argument, m_path, 0, "cannot open: " + errno_text()};
        return false;
    }
    std::string text;
    char buffer[8192];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            error = KnownServersError{Error::invalid_argument, m_path, 0, "cannot read: " + errno_text()};
            (void)::close(fd);
            return false;
        }
        if (n == 0 || text.size() > kKnownServersMaxBytes) {
            break;  // past the bound, parse() names it
        }
        text.append(buffer, static_cast<std::size_t>(n));
    }
    (void)::close(fd);
    return parse(text, error);
}

const KnownServer* KnownServersFile::find(std::string_view endpoint) const {
    for (const auto& e : m_entries) {
        if (e.endpoint == endpoint) {
            return &e;
        }
    }
    return nullptr;
}

bool KnownServersFile::record(std::string_view endpoint, std::string_view fingerprint, KnownServersError& error) {
    if (const auto why = endpoint_problem(endpoint); !why.empty() || !valid_fingerprint(fingerprint)) {
        error = KnownServersError{Error::invalid_argument, m_path, 0,
                                  "cannot record '" + std::string(endpoint) + " " + std::string(fingerprint) + "'"};
        return false;
    }
    if (!load(error)) {
        return false;
    }
    if (const auto* known = find(endpoint)) {
        if (known->fingerprint == fingerprint) {
            return true;
        }
        error = KnownServersError{Error::untrusted_identity, m_path, known->line,
                                  std::string(endpoint) + " is known with " + known->fingerprint + ", not " +
                                      std::string(fingerprint)};
        return false;
    }
    std::string text = m_text;
    if (!text.empty() && text.back() != '\n') {
        text += '\n';
    }
    text += std::string(endpoint) + " " + std::string(fingerprint) + "\n";
    std::string why;
    if (text.size() > kKnownServersMaxBytes) {
        error = KnownServersError{Error::oversize, m_path, 0,
                                  "full (" + std::to_string(kKnownServersMaxBytes) + " bytes): cannot add " +
                                      std::string(endpoint)};
        return false;
    }
    if (!replace_file(m_path, text, why)) {
        error = KnownServersError{Error::invalid_argument, m_path, 0, why};
        return false;
    }
    return parse(text, error);
}

namespace {

class FileKeyStore final : public ServerKeyStore {
public:
    FileKeyStore(std::string path, std::string endpoint, std::function<void(const std::string&)> report)
        : m_file(std::move(path)), m_endpoint(std::move(endpoint)), m_report(std::move(report)) {}

    Result<void> check(const crypto::RsaKey& server) override {
        KnownServersError error;
        if (!m_file.load(error)) {
            say(error.describe());
            return fail(error.code, "the known-servers file cannot be used");
        }
        const auto* known = m_file.find(m_endpoint);
        if (known == nullptr) {
            return ok();  // first use: recorded once the server has proved it holds the key
        }
        const std::string presented = key_fingerprint(server);
        if (known->fingerprint != presented) {
            say(KnownServersError{Error::untrusted_identity, m_file.path(), known->line,
                                  m_endpoint + " is known with " + known->fingerprint + ", the server presented " +
                                      presented + " (remove the line to trust the new key)"}
                    .describe());
            return fail(Error::untrusted_identity, "server key differs from the one in the known-servers file");
        }
        return ok();
    }

    Result<void> record(const crypto::RsaKey& server) override {
        KnownServersError error;
        if (!m_file.record(m_endpoint, key_fingerprint(server), error)) {
            say(error.describe());
            return fail(error.code, error.code == Error::untrusted_identity
                                        ? "server key differs from the one in the known-servers file"
                                        : "the server key could not be recorded in the known-servers file");
        }
        return ok();
    }

private:
    void say(const std::string& line) const {
        if (m_report) {
            m_report("known servers: " + line);
        }
    }

    KnownServersFile m_file;
    std::string m_endpoint;
    std::function<void(const std::string&)> m_report;
};

}  // namespace

std::shared_ptr<ServerKeyStore> known_servers_store(std::string path, std::string endpoint,
                                                    std::function<void(const std::string&)> report) {
    return std::make_shared<FileKeyStore>(std::move(path), std::move(endpoint), std::move(report));
}

}  // namespace shakedown::hivemind
