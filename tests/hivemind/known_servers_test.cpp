// The known-servers file (trust on first use, pinned afterwards): its format, its bounds, its
// atomic update, and the client machine consulting it through ServerKeyStore.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hivemind/known_servers.hpp"
#include "tests/hivemind/support.hpp"

namespace shakedown::hivemind {
namespace {

namespace fs = std::filesystem;
using test::base_config;
using test::pump;

const std::string kFpA = "SHA256:" + std::string(64, 'a');
const std::string kFpB = "SHA256:" + std::string(64, 'b');

struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() / ("shakedown-known-servers-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] std::string file(const std::string& name) const { return (path / name).string(); }
};

void write(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}
std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Parses `text`; returns the error (code, line) it must produce.
KnownServersError parse_error(const std::string& text) {
    KnownServersFile f("known");
    KnownServersError e;
    EXPECT_FALSE(f.parse(text, e)) << text;
    EXPECT_TRUE(f.entries().empty());
    return e;
}

TEST(HiveMindKnownServers, ParsesEntriesCommentsAndBlankLines) {
    KnownServersFile f("known");
    KnownServersError e;
    ASSERT_TRUE(f.parse("# servers\n\n127.0.0.1:5678 " + kFpA + "\n  \t\n[::1]:80\t\t" + kFpB, e)) << e.describe();
    ASSERT_EQ(f.entries().size(), 2U);
    EXPECT_EQ(f.entries()[0].endpoint, "127.0.0.1:5678");
    EXPECT_EQ(f.entries()[0].line, 3U);
    EXPECT_EQ(f.entries()[1].endpoint, "[::1]:80");
    EXPECT_EQ(f.entries()[1].fingerprint, kFpB);
    EXPECT_EQ(f.entries()[1].line, 5U);
    ASSERT_NE(f.find("[::1]:80"), nullptr);
    EXPECT_EQ(f.find("127.0.0.1:80"), nullptr);
    EXPECT_TRUE(f.parse("", e));
    EXPECT_TRUE(f.entries().empty());
}

TEST(HiveMindKnownServers, MalformedLinesAreTypedErrorsWithTheirLineNumber) {
    struct LineCase {
        std::string text;
        Error code;
        std::size_t line;
        std::string says;
    };
    const std::vector<LineCase> cases = {
        {"127.0.0.1:1 " + kFpA + "\n127.0.0.1:2\n", Error::decode_error, 2, "found 1 field"},
        {"127.0.0.1:1 " + kFpA + " extra\n", Error::decode_error, 1, "found 3 field"},
        {"localhost " + kFpA + "\n", Error::decode_error, 1, "HOST:PORT"},
        {"\n\nhost:0 " + kFpA + "\n", Error::decode_error, 3, "port"},
        {"host:65536 " + kFpA + "\n", Error::decode_error, 1, "port"},
        {"host:08 " + kFpA + "\n", Error::decode_error, 1, "port"},
        {"host:8x " + kFpA + "\n", Error::decode_error, 1, "port"},
        {"::1:80 " + kFpA + "\n", Error::decode_error, 1, "brackets"},
        {"host:80 SHA256:" + std::string(63, 'a') + "\n", Error::decode_error, 1, "fingerprint"},
        {"host:80 SHA256:" + std::string(64, 'A') + "\n", Error::decode_error, 1, "lowercase"},
        {"host:80 sha256:" + std::string(64, 'a') + "\n", Error::decode_error, 1, "fingerprint"},
        {"host:80 " + kFpA + "\r\n", Error::decode_error, 1, "control character 0d"},
        {std::string("# a\n#\0b\n", 8), Error::decode_error, 2, "control character 00"},
        {"host:80 " + kFpA + "\n#\nhost:80 " + kFpB + "\n", Error::duplicate_key, 3, "already on line 1"},
        {"# " + std::string(kKnownServersMaxLine, 'x') + "\n", Error::oversize, 1, "longer than"},
        {std::string(kKnownServersMaxBytes + 1, '\n'), Error::oversize, 0, "larger than"},
    };
    for (const auto& c : cases) {
        const auto e = parse_error(c.text);
        EXPECT_EQ(e.code, c.code) << c.says;
        EXPECT_EQ(e.line, c.line) << c.says;
        EXPECT_NE(e.message.find(c.says), std::string::npos) << e.message;
        EXPECT_EQ(e.describe().rfind(c.line > 0 ? "known:" + std::to_string(c.line) + ": " : "known: ", 0), 0U)
            << e.describe();
    }
}

TEST(HiveMindKnownServers, MissingFileIsEmptyAndUnreadableOneIsAnError) {
    TempDir dir;
    KnownServersFile missing(dir.file("none"));
    KnownServersError e;
    EXPECT_TRUE(missing.load(e));
    EXPECT_TRUE(missing.entries().empty());
    KnownServersFile folder(dir.path.string());  // a folder, not a file
    EXPECT_FALSE(folder.load(e));
    EXPECT_EQ(e.path, dir.path.string());
    // A file past the bound is refused by its size, however it ends.
    write(dir.file("big"), std::string(kKnownServersMaxBytes + 10000, '#'));
    KnownServersFile big(dir.file("big"));
    EXPECT_FALSE(big.load(e));
    EXPECT_EQ(e.code, Error::oversize);
}

TEST(HiveMindKnownServers, RecordAppendsAtomicallyKeepsTheRestAndRefusesAnotherKey) {
    TempDir dir;
    const std::string path = dir.file("known_servers");
    write(path, "# my servers\n10.0.0.1:1 " + kFpB);  // no final newline
    struct stat before {};
    ASSERT_EQ(::stat(path.c_str(), &before), 0);
    KnownServersFile f(path);
    KnownServersError e;
    ASSERT_TRUE(f.record("127.0.0.1:5678", kFpA, e)) << e.describe();
    EXPECT_EQ(slurp(path), "# my servers\n10.0.0.1:1 " + kFpB + "\n127.0.0.1:5678 " + kFpA + "\n");
    // Replaced, not rewritten in place: a new file renamed over the old one, no temporary left.
    struct stat after {};
    ASSERT_EQ(::stat(path.c_str(), &after), 0);
    EXPECT_NE(before.st_ino, after.st_ino);
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1);
    // The same key again changes nothing; another key is refused, naming the line it is on.
    ASSERT_TRUE(f.record("127.0.0.1:5678", kFpA, e));
    struct stat again {};
    ASSERT_EQ(::stat(path.c_str(), &again), 0);
    EXPECT_EQ(again.st_ino, after.st_ino);
    EXPECT_FALSE(f.record("127.0.0.1:5678", kFpB, e));
    EXPECT_EQ(e.code, Error::untrusted_identity);
    EXPECT_EQ(e.line, 3U);
    EXPECT_EQ(e.path, path);
    EXPECT_EQ(slurp(path), "# my servers\n10.0.0.1:1 " + kFpB + "\n127.0.0.1:5678 " + kFpA + "\n");
    // Nothing is recorded into a malformed file, and nothing malformed is recorded.
    write(path, "garbage\n");
    EXPECT_FALSE(f.record("127.0.0.1:9", kFpA, e));
    EXPECT_EQ(e.line, 1U);
    EXPECT_EQ(slurp(path), "garbage\n");
    EXPECT_FALSE(f.record("127.0.0.1:9 x", kFpA, e));
    EXPECT_EQ(e.code, Error::invalid_argument);
    EXPECT_FALSE(f.record("127.0.0.1:9", "SHA256:12", e));
    EXPECT_EQ(e.code, Error::invalid_argument);
    // A file in a folder that does not exist cannot be written: an error, not a crash.
    KnownServersFile nowhere(dir.file("no/such/folder/known"));
    EXPECT_FALSE(nowhere.record("127.0.0.1:9", kFpA, e));
    EXPECT_EQ(e.code, Error::invalid_argument);
}

TEST(HiveMindKnownServers, FingerprintIsTheSha256OfTheSubjectPublicKeyInfo) {
    const auto key = crypto::RsaKey::from_pem(test::key_pem("server_rsa2048"));
    ASSERT_TRUE(key);
    const auto pub = crypto::RsaKey::public_from_der(crypto::rsa_public_der(*key));
    ASSERT_TRUE(pub);
    const std::string fp = key_fingerprint(*key);
    EXPECT_EQ(fp, "SHA256:" + to_hex(crypto::sha256(crypto::rsa_public_der(*key))));
    EXPECT_EQ(key_fingerprint(*pub), fp);  // the public part only
    const auto other = crypto::RsaKey::from_pem(test::key_pem("other_rsa2048"));
    ASSERT_TRUE(other);
    EXPECT_NE(key_fingerprint(*other), fp);
}

// The client machine: the first handshake records the server's key, a later one with another
// key is refused (untrusted_identity), the report naming the file and the line.
TEST(HiveMindKnownServers, ClientTrustsOnFirstUseAndRefusesAChangedKey) {
    TempDir dir;
    const std::string path = dir.file("known_servers");
    std::vector<std::string> reports;
    auto c = base_config(Role::initiator, Mode::rsa);
    c.known_servers = known_servers_store(path, "127.0.0.1:5678", [&](const std::string& r) { reports.push_back(r); });
    const auto s = base_config(Role::acceptor, Mode::rsa);
    auto changed = s;
    changed.own_key_pem = test::key_pem("other_rsa2048");
    const auto run = [](const Config& client, const Config& server) {
        SeededRng crng{ByteArray<32>{1}};
        SeededRng srng{ByteArray<32>{2}};
        FixedClock clock{0};
        HiveMachine cm(client, crng, clock);
        HiveMachine sm(server, srng, clock);
        sm.start();
        cm.start();
        pump(cm, sm);
        return std::pair{cm.authenticated(), cm.closure() ? cm.closure()->failure.code : Error::decode_error};
    };
    EXPECT_TRUE(run(c, s).first);
    const auto server_key = crypto::RsaKey::from_pem(test::key_pem("server_rsa2048"));
    EXPECT_EQ(slurp(path), "127.0.0.1:5678 " + key_fingerprint(*server_key) + "\n");
    EXPECT_TRUE(run(c, s).first);
    EXPECT_TRUE(reports.empty());
    const auto refused = run(c, changed);
    EXPECT_FALSE(refused.first);
    EXPECT_EQ(refused.second, Error::untrusted_identity);
    ASSERT_EQ(reports.size(), 1U);
    EXPECT_NE(reports[0].find(path + ":1: 127.0.0.1:5678 is known with SHA256:"), std::string::npos) << reports[0];
    // Another server (another HOST:PORT) is a first use of its own.
    auto elsewhere = c;
    elsewhere.known_servers = known_servers_store(path, "127.0.0.1:5679", nullptr);
    EXPECT_TRUE(run(elsewhere, changed).first);
    EXPECT_EQ(slurp(path).size(), 2 * std::string("127.0.0.1:5678 " + kFpA + "\n").size());
    // The upstream's defect (no pinning): the knob turns the store off.
    c.quirks.trust_every_key = true;
    EXPECT_TRUE(run(c, changed).first);
    // A store that became malformed refuses (its error is reported), never crashes.
    write(path, "127.0.0.1:5678\n");
    c.quirks.trust_every_key = false;
    reports.clear();
    const auto broken = run(c, s);
    EXPECT_FALSE(broken.first);
    EXPECT_EQ(broken.second, Error::decode_error);
    ASSERT_EQ(reports.size(), 1U);
    EXPECT_NE(reports[0].find(path + ":1:"), std::string::npos) << reports[0];
}

}  // namespace
}  // namespace shakedown::hivemind
