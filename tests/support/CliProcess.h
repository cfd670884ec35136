#pragma once
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace ternlab::testsupport {

// What a ternlab-cli process printed (stdout and stderr together) and its exit code (-1: it did not exit).
struct CliResult {
  int code;
  std::string out;
};

// Runs the ternlab-cli under test (TERNLAB_CLI_PATH) with `args`, in directory `dir` when one is given.
inline CliResult runCli(const std::string& args, const std::filesystem::path& dir = {}) {
  const std::string cd = dir.empty() ? "" : "cd '" + dir.string() + "' && ";
  const std::string cmd = cd + std::string(TERNLAB_CLI_PATH) + " " + args + " 2>&1";
  CliResult r{0, ""};
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) r.out += buf.data();
  const int st = ::pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace ternlab::testsupport
