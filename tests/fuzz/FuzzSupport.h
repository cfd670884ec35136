#pragma once
// Shared by the fuzz targets: the bytes under test become a real file (every reader takes a path), and
// a refusal must be one of TernLab's own error types whose message names that file; anything else
// (another exception type, a message without the file) aborts, so libFuzzer reports it as a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

namespace ternlab::fuzz {

// A per-process scratch directory, removed at exit.
inline const std::filesystem::path& scratchDir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("ternlab-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(scratchDir(), ec);
    });
    return d;
  }();
  return dir;
}

// Writes the input to scratchDir()/name and returns its path.
inline std::string writeInput(const std::string& name, const std::uint8_t* data, std::size_t size) {
  const auto path = (scratchDir() / name).string();
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// A refusal is accepted only if it names the file it refused.
inline void expectNamesFile(const std::exception& e, const std::string& path) {
  const std::string msg = e.what();
  if (msg.find(path) == std::string::npos) {
    std::fprintf(stderr, "refusal does not name the file %s:\n  %s\n", path.c_str(), msg.c_str());
    std::abort();
  }
}

[[noreturn]] inline void unexpected(const char* what, const std::exception* e) {
  std::fprintf(stderr, "unexpected %s: %s\n", what, e ? e->what() : "(not a std::exception)");
  std::abort();
}

}  // namespace ternlab::fuzz
