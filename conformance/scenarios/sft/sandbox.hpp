// The reference's file sandbox on disk: one directory the reference owns, every access relative to
// a directory descriptor opened at construction, symlinks never followed (O_NOFOLLOW), only
// regular files seen. Names reaching it have passed sft::sanitize_filename(), so they are one
// plain path component; the store re-checks that and refuses anything else.
#pragma once

#include <string>

#include "sft/files.hpp"

namespace shakedown::sft {

class DirectoryFileStore final : public FileStore {
public:
    // Creates the directory if needed; valid() is false when it cannot be opened.
    explicit DirectoryFileStore(const std::string& dir, std::uint64_t max_file_bytes = 10ULL << 30);
    ~DirectoryFileStore() override;
    DirectoryFileStore(const DirectoryFileStore&) = delete;
    DirectoryFileStore& operator=(const DirectoryFileStore&) = delete;
    [[nodiscard]] bool valid() const noexcept { return m_dirfd >= 0; }

    [[nodiscard]] std::optional<std::uint64_t> size(const std::string& name) const override;
    [[nodiscard]] Result<Bytes> read(const std::string& name, std::uint64_t offset, std::size_t max) const override;
    [[nodiscard]] Result<void> create(const std::string& name) override;
    [[nodiscard]] Result<void> write_at(const std::string& name, std::uint64_t offset, ByteView data) override;
    void remove(const std::string& name) override;
    [[nodiscard]] std::vector<std::pair<std::string, std::uint64_t>> list() const override;
    [[nodiscard]] Result<crypto::Digest> sha256(const std::string& name) const override;

private:
    [[nodiscard]] int open_file(const std::string& name, int flags) const;
    int m_dirfd = -1;
    std::uint64_t m_max;
};

}  // namespace shakedown::sft
