#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "config/ExperimentConfig.h"

namespace ternlab::store {
class RunStore;
}

namespace ternlab::train {

// Recognises a training stage that the store already holds, finished, with the same inputs, so that
// sweeps whose points share their first stages (the FP teacher, KD stage 1) train those stages once.
// A stage's identity is everything that determines its weights: its config without name, thread count
// and log interval, plus the identity of the weights it starts from and of its teacher.
class StageCache {
 public:
  explicit StageCache(store::RunStore& db) : db_(db) {}

  // The identity of a stage about to run. `initIdentity`/`teacherIdentity` are the identities of the
  // stage it starts from and of its teacher ("" when none); refs to stored runs or files are kept as is.
  static std::string identity(const config::ExperimentConfig& stage, const std::string& initIdentity,
                              const std::string& teacherIdentity);

  // The identity of a stored run, derived from its config and, for a pipeline stage, from its siblings.
  std::string identityOf(std::int64_t run);

  // A finished run with this identity whose final checkpoint still exists; the oldest one.
  std::optional<std::int64_t> find(const std::string& identity);

 private:
  store::RunStore& db_;
  std::map<std::int64_t, std::string> memo_;
};

}  // namespace ternlab::train
