#pragma once
#include <QObject>
#include <QString>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/RunStore.h"

namespace ternlab::views::test {

// Test suites register themselves by name; test_views runs one (argv[1]) or all.
using SuiteFactory = std::function<QObject*()>;
int registerSuite(const char* name, SuiteFactory factory);
std::vector<std::pair<std::string, SuiteFactory>>& suites();
#define TERNLAB_VIEW_TEST_SUITE(Class) \
  static const int kRegistered##Class = ::ternlab::views::test::registerSuite(#Class, [] { return new Class; })

// A finished run in store: the experiment patch is validated by the core first, so params are complete.
std::int64_t addRun(store::RunStore& store, const nlohmann::json& experiment, const std::string& status,
                    const std::vector<double>& testAcc);

}  // namespace ternlab::views::test
