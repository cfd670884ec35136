#include "SelfProcess.h"

#include <unistd.h>

namespace ternlab::cli {

pid_t spawnSelf(const std::vector<std::string>& argv) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv("/proc/self/exe", args.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace ternlab::cli
