#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace ternlab::testsupport {

// An empty directory of its own for the running test: <tmp>/ternlab-<area>-<pid>-<test name>.
inline std::filesystem::path freshTestDir(const std::string& area) {
  auto d = std::filesystem::temp_directory_path() /
           ("ternlab-" + area + "-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace ternlab::testsupport
