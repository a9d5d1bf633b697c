#include "conformance/scenarios/sft/sandbox.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace shakedown::sft {

DirectoryFileStore::DirectoryFileStore(const std::string& dir, std::uint64_t max_file_bytes) : m_max(max_file_bytes) {
    ::mkdir(dir.c_str(), 0700);
    m_dirfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
}

DirectoryFileStore::~DirectoryFileStore() {
    if (m_dirfd >= 0) {
        ::close(m_dirfd);
    }
}

int DirectoryFileStore::open_file(const std::string& name, int flags) const {
    if (m_dirfd < 0 || !sanitize_filename(name)) {
        errno = EINVAL;
        return -1;
    }
    const int fd = ::openat(m_dirfd, name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        return -1;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        errno = EINVAL;
        return -1;
    }
    return fd;
}

std::optional<std::uint64_t> DirectoryFileStore::size(const std::string& name) const {
    const int fd = open_file(name, O_RDONLY);
    if (fd < 0) {
        return std::nullopt;
    }
    struct stat st {};
    const bool ok = ::fstat(fd, &st) == 0;
    ::close(fd);
    if (!ok) {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(st.st_size);
}

Result<Bytes> DirectoryFileStore::read(const std::string& name, std::uint64_t offset, std::size_t max) const {
    const int fd = open_file(name, O_RDONLY);
    if (fd < 0) {
        return fail(Error::invalid_argument, "cannot open file in the sandbox");
    }
    Bytes out(max);
    const ssize_t n = ::pread(fd, out.data(), max, static_cast<off_t>(offset));
    ::close(fd);
    if (n < 0) {
        return fail(Error::invalid_argument, "read failed");
    }
    out.resize(static_cast<std::size_t>(n));
    return out;
}

Result<void> DirectoryFileStore::create(const std::string& name) {
    const int fd = open_file(name, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0) {
        return fail(Error::invalid_argument, "cannot create file in the sandbox");
    }
    ::close(fd);
    return ok();
}

Result<void> DirectoryFileStore::write_at(const std::string& name, std::uint64_t offset, ByteView data) {
    if (offset > m_max || data.size() > m_max - offset) {
        return fail(Error::oversize, "write beyond the sandbox's file size limit");
    }
    const int fd = open_file(name, O_WRONLY | O_CREAT);
    if (fd < 0) {
        return fail(Error::invalid_argument, "cannot open file in the sandbox");
    }
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
        if (n <= 0) {
            ::close(fd);
            return fail(Error::invalid_argument, "write failed");
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return ok();
}

void DirectoryFileStore::remove(const std::string& name) {
    if (m_dirfd >= 0 && sanitize_filename(name)) {
        ::unlinkat(m_dirfd, name.c_str(), 0);
    }
}

std::vector<std::pair<std::string, std::uint64_t>> DirectoryFileStore::list() const {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    if (m_dirfd < 0) {
        return out;
    }
    const int fd = ::dup(m_dirfd);
    DIR* d = fd >= 0 ? ::fdopendir(fd) : nullptr;
    if (d == nullptr) {
        if (fd >= 0) {
            ::close(fd);
        }
        return out;
    }
    ::rewinddir(d);
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        struct stat st {};
        if (!sanitize_filename(name) || ::fstatat(m_dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode)) {
            continue;  // ".", "..", symlinks, directories, odd names
        }
        out.emplace_back(name, static_cast<std::uint64_t>(st.st_size));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

Result<crypto::Digest> DirectoryFileStore::sha256(const std::string& name) const {
    const int fd = open_file(name, O_RDONLY);
    if (fd < 0) {
        return fail(Error::invalid_argument, "cannot open file in the sandbox");
    }
    crypto::ensure_initialized();
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    Bytes buf(65536);
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            ::close(fd);
            return fail(Error::invalid_argument, "read failed");
        }
        if (n == 0) {
            break;
        }
        crypto_hash_sha256_update(&st, buf.data(), static_cast<unsigned long long>(n));
    }
    ::close(fd);
    crypto::Digest out{};
    crypto_hash_sha256_final(&st, out.data());
    return out;
}

}  // namespace shakedown::sft
