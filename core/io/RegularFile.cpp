#include "io/RegularFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ternlab::io {

namespace {

// The kind of a non-regular file, for "is a directory, expected a .tnn file".
std::string kindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string nonRegularKind(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return "";
  return kindOf(st.st_mode);
}

std::string byteSize(std::size_t bytes) {
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  double v = static_cast<double>(bytes);
  int u = -1;
  while (v >= 1024 && u < 3) v /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, v == static_cast<double>(static_cast<long long>(v)) ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

std::string readRegularFile(const std::string& path, std::size_t maxBytes, const char* what) {
  FdCloser f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (f.fd < 0)
    throw FileError(path, errno == ENOENT ? "file not found" : std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) throw FileError(path, std::string("cannot read: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw FileError(path, "is " + kindOf(st.st_mode) + ", expected " + what);
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size > maxBytes)
    throw FileError(path, "is " + byteSize(size) + ", more than the " + byteSize(maxBytes) + " " + what + " may hold");
  std::string out(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(f.fd, out.data() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw FileError(path, std::string("read failed: ") + std::strerror(errno));
    if (n == 0) break;  // shrank while reading
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return out;
}

}  // namespace ternlab::io
