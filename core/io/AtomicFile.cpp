#include "io/AtomicFile.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "io/RegularFile.h"

namespace ternlab::io {

void writeFileAtomically(const std::string& path, const std::string& bytes) {
  // A write past RLIMIT_FSIZE raises SIGXFSZ, whose default action kills the process: ignored, such a
  // write fails with EFBIG like any other and is reported.
  static const bool ignoreXfsz = [] { return std::signal(SIGXFSZ, SIG_IGN) != SIG_ERR; }();
  (void)ignoreXfsz;
  const std::string tmp = path + ".tmp";
  auto fail = [&](const char* step, int err) {
    ::unlink(tmp.c_str());
    throw FileError(path, std::string(step) + " failed: " + std::strerror(err));
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("creating the temporary file", errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : ENOSPC;
      ::close(fd);
      fail("writing", err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    fail("flushing", err);
  }
  if (::close(fd) != 0) fail("closing", errno);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("renaming the temporary file", errno);
}

}  // namespace ternlab::io
