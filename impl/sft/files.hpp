// File access for the transfer layer, behind an interface so the machines stay sans-IO
// (docs/protocols/sft.md §7). Names reaching a store have passed sanitize_filename(): a store
// only ever sees a single plain path component inside the sandbox it owns.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/crypto.hpp"
#include "common/result.hpp"

namespace shakedown::sft {

class FileStore {
public:
    virtual ~FileStore() = default;
    [[nodiscard]] virtual std::optional<std::uint64_t> size(const std::string& name) const = 0;
    [[nodiscard]] virtual Result<Bytes> read(const std::string& name, std::uint64_t offset, std::size_t max) const = 0;
    // Creates or truncates.
    [[nodiscard]] virtual Result<void> create(const std::string& name) = 0;
    [[nodiscard]] virtual Result<void> write_at(const std::string& name, std::uint64_t offset, ByteView data) = 0;
    virtual void remove(const std::string& name) = 0;
    // Sorted by name.
    [[nodiscard]] virtual std::vector<std::pair<std::string, std::uint64_t>> list() const = 0;
    [[nodiscard]] virtual Result<crypto::Digest> sha256(const std::string& name) const = 0;
};

// An in-memory sandbox for tests, vectors and fuzzing. Sizes beyond max_bytes fail with oversize
// (a sparse write far past the end must not allocate gigabytes).
class MemoryFileStore final : public FileStore {
public:
    explicit MemoryFileStore(std::uint64_t max_bytes = 64ULL * 1024 * 1024) : m_max(max_bytes) {}
    [[nodiscard]] std::optional<std::uint64_t> size(const std::string& name) const override;
    [[nodiscard]] Result<Bytes> read(const std::string& name, std::uint64_t offset, std::size_t max) const override;
    [[nodiscard]] Result<void> create(const std::string& name) override;
    [[nodiscard]] Result<void> write_at(const std::string& name, std::uint64_t offset, ByteView data) override;
    void remove(const std::string& name) override;
    [[nodiscard]] std::vector<std::pair<std::string, std::uint64_t>> list() const override;
    [[nodiscard]] Result<crypto::Digest> sha256(const std::string& name) const override;

    void put(const std::string& name, Bytes content) { m_files[name] = std::move(content); }
    [[nodiscard]] const Bytes* get(const std::string& name) const;

private:
    std::uint64_t m_max;
    std::map<std::string, Bytes> m_files;
};

// The name if it is one plain path component (not empty, not "." or "..", no '/', '\\', NUL or
// other control character, at most 255 bytes, valid UTF-8); invalid_argument otherwise. A name
// that sanitising would alter is refused, never rewritten.
[[nodiscard]] Result<std::string> sanitize_filename(std::string_view name);

}  // namespace shakedown::sft
