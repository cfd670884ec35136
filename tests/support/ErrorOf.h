#pragma once
// The message of the exception a call throws, checked to be of the expected type: how tests read refusals.
#include <gtest/gtest.h>

#include <exception>
#include <functional>
#include <string>

namespace ternlab::testsupport {

// The message of the exception fn throws (of type E), or a test failure when it throws another or none.
template <typename E>
std::string errorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return e.what();
  }
  ADD_FAILURE() << "nothing was refused";
  return "";
}

}  // namespace ternlab::testsupport
