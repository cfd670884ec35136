#pragma once
// Where a run is in its life, named once for the store, the runner, the CLI and the workbench.
#include <optional>
#include <ostream>
#include <string>

namespace ternlab::store {

// queued: recorded, not started; running: a process owns it (heartbeat); the rest are ends: finished,
// failed (error recorded), cancelled (stopped by the user), interrupted (its process died without an end).
enum class RunStatus { Queued, Running, Finished, Failed, Cancelled, Interrupted };

inline constexpr RunStatus kRunStatuses[] = {RunStatus::Queued,   RunStatus::Running,   RunStatus::Finished,
                                             RunStatus::Failed,   RunStatus::Cancelled, RunStatus::Interrupted};

const char* runStatusName(RunStatus s);  // as stored in run.status
std::optional<RunStatus> parseRunStatus(const std::string& s);
inline bool runEnded(RunStatus s) { return s != RunStatus::Queued && s != RunStatus::Running; }
inline std::ostream& operator<<(std::ostream& o, RunStatus s) { return o << runStatusName(s); }

}  // namespace ternlab::store
