#include "sft/files.hpp"

#include <algorithm>

#include "sft/json.hpp"

namespace shakedown::sft {

std::optional<std::uint64_t> MemoryFileStore::size(const std::string& name) const {
    const auto it = m_files.find(name);
    if (it == m_files.end()) {
        return std::nullopt;
    }
    return it->second.size();
}

Result<Bytes> MemoryFileStore::read(const std::string& name, std::uint64_t offset, std::size_t max) const {
    const auto it = m_files.find(name);
    if (it == m_files.end()) {
        return fail(Error::invalid_argument, "no such file");
    }
    if (offset > it->second.size()) {
        return fail(Error::bad_length, "read past the end");
    }
    const auto start = static_cast<std::size_t>(offset);
    const std::size_t n = std::min(max, it->second.size() - start);
    return Bytes(it->second.begin() + static_cast<std::ptrdiff_t>(start),
                 it->second.begin() + static_cast<std::ptrdiff_t>(start + n));
}

Result<void> MemoryFileStore::create(const std::string& name) {
    m_files[name].clear();
    return ok();
}

Result<void> MemoryFileStore::write_at(const std::string& name, std::uint64_t offset, ByteView data) {
    if (offset > m_max || data.size() > m_max - offset) {
        return fail(Error::oversize, "write beyond the sandbox quota");
    }
    Bytes& f = m_files[name];
    const auto end = static_cast<std::size_t>(offset + data.size());
    if (f.size() < end) {
        f.resize(end, 0);
    }
    std::copy(data.begin(), data.end(), f.begin() + static_cast<std::ptrdiff_t>(offset));
    return ok();
}

void MemoryFileStore::remove(const std::string& name) { m_files.erase(name); }

std::vector<std::pair<std::string, std::uint64_t>> MemoryFileStore::list() const {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (const auto& [name, content] : m_files) {
        out.emplace_back(name, content.size());
    }
    return out;
}

Result<crypto::Digest> MemoryFileStore::sha256(const std::string& name) const {
    const auto it = m_files.find(name);
    if (it == m_files.end()) {
        return fail(Error::invalid_argument, "no such file");
    }
    return crypto::sha256(it->second);
}

const Bytes* MemoryFileStore::get(const std::string& name) const {
    const auto it = m_files.find(name);
    return it == m_files.end() ? nullptr : &it->second;
}

Result<std::string> sanitize_filename(std::string_view name) {
    if (name.empty() || name == "." || name == ".." || name.size() > 255) {
        return fail(Error::invalid_argument, "file name empty, dot or too long");
    }
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '/' || c == '\\' || u < 0x20 || u == 0x7f) {
            return fail(Error::invalid_argument, "file name is not one plain path component");
        }
    }
    if (!json::valid_utf8(as_bytes(name))) {
        return fail(Error::invalid_argument, "file name is not UTF-8");
    }
    return std::string(name);
}

}  // namespace shakedown::sft
