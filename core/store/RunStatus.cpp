#include "store/RunStatus.h"

namespace ternlab::store {

const char* runStatusName(RunStatus s) {
  switch (s) {
    case RunStatus::Queued: return "queued";
    case RunStatus::Running: return "running";
    case RunStatus::Finished: return "finished";
    case RunStatus::Failed: return "failed";
    case RunStatus::Cancelled: return "cancelled";
    case RunStatus::Interrupted: return "interrupted";
  }
  return "?";
}

std::optional<RunStatus> parseRunStatus(const std::string& s) {
  for (RunStatus r : kRunStatuses)
    if (s == runStatusName(r)) return r;
  return std::nullopt;
}

}  // namespace ternlab::store
