// The on-disk sandbox: plain names only, symlinks never followed, nothing outside the directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "conformance/scenarios/sft/sandbox.hpp"

namespace shakedown::sft {
namespace {

namespace fs = std::filesystem;

TEST(SftSandbox, StaysInsideItsDirectory) {
    const fs::path root = fs::temp_directory_path() / ("sft-sandbox-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
    const fs::path box = root / "box";
    std::ofstream(root / "secret.txt") << "outside";
    DirectoryFileStore store(box.string());
    ASSERT_TRUE(store.valid());

    ASSERT_TRUE(store.create("a.bin").ok());
    ASSERT_TRUE(store.write_at("a.bin", 0, as_bytes("hello")).ok());
    ASSERT_TRUE(store.write_at("a.bin", 5, as_bytes(" world")).ok());
    EXPECT_EQ(store.size("a.bin"), 11U);
    EXPECT_EQ(*store.read("a.bin", 6, 100), Bytes({'w', 'o', 'r', 'l', 'd'}));
    EXPECT_EQ(to_hex(*store.sha256("a.bin")), to_hex(crypto::sha256(as_bytes("hello world"))));

    // A symlink planted in the sandbox pointing outside is neither read, listed nor written through.
    fs::create_symlink(root / "secret.txt", box / "link.txt");
    EXPECT_FALSE(store.size("link.txt").has_value());
    EXPECT_FALSE(store.read("link.txt", 0, 10).ok());
    EXPECT_FALSE(store.write_at("link.txt", 0, as_bytes("x")).ok());
    fs::create_directories(box / "sub");
    const auto listing = store.list();
    ASSERT_EQ(listing.size(), 1U);
    EXPECT_EQ(listing[0].first, "a.bin");

    // Names that are not one plain component never reach the file system.
    for (const std::string& bad : {std::string("../secret.txt"), std::string("/etc/passwd"), std::string("sub/x"),
                                   std::string("a\0b", 3), std::string(".."), std::string("")}) {
        EXPECT_FALSE(store.create(bad).ok()) << bad;
        EXPECT_FALSE(store.size(bad).has_value()) << bad;
    }
    store.remove("../secret.txt");
    EXPECT_TRUE(fs::exists(root / "secret.txt"));
    std::ifstream in(root / "secret.txt");
    std::string s;
    in >> s;
    EXPECT_EQ(s, "outside");
    store.remove("a.bin");
    EXPECT_FALSE(store.size("a.bin").has_value());
    fs::remove_all(root);
}

}  // namespace
}  // namespace shakedown::sft
