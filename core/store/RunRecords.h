#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/RunStatus.h"

namespace ternlab::store {

// One row of the run table.
struct RunRecord {
  std::int64_t id = 0;
  std::string uuid;
  std::optional<std::int64_t> parentId;
  std::string stage;
  std::string name;
  std::string kind = "train";
  RunStatus status = RunStatus::Running;
  std::string lifecycle = "active";
  std::string config;
  std::string configHash;
  std::uint64_t seed = 0;
  std::string created, started, ended;
  double heartbeat = 0;
  std::string version, gitCommit, error;
  std::string seedGroup;  // runs that repeat one experiment with other seeds share it (config::seedGroupKey)
};

// What a caller supplies to open a new run.
struct NewRun {
  std::string name;
  std::string configJson;
  std::uint64_t seed = 0;
  std::optional<std::int64_t> parentId;
  std::string stage;
  std::string kind = "train";  // train | pipeline | bench | sweep
};

// One metric value at one step.
struct MetricPoint {
  std::string key;
  std::int64_t step = 0;
  int epoch = 0;
  double wallMs = 0;
  double value = 0;
};

// The browser's view of one metric of a run: last, min, max and where they happened.
struct MetricSummary {
  std::string key;
  double last = 0, min = 0, max = 0;
  std::int64_t lastStep = 0, minStep = 0, maxStep = 0;
};

// Per-layer ternary statistics at one step (one row per layer, tensor and REL branch).
struct LayerStatRow {
  std::int64_t step = 0;
  int epoch = 0;
  std::string layer;
  std::string tensor = "weight";  // weight | activation
  int branch = 0;
  std::int64_t numel = 0;
  double fracNeg = 0, fracZero = 0, fracPos = 0, entropy = 0;
  std::vector<double> thresholds, scales;
  std::optional<double> gamma;
  double density() const { return fracNeg + fracPos; }
};

// A file a run produced (checkpoint, export, benchmark report).
struct Artefact {
  std::string kind;
  std::string path;
  std::int64_t bytes = 0;
  std::string sha256;
  std::int64_t step = 0;
  int epoch = 0;  // checkpoints: the epochs done when it was written (0 for other kinds)
};

// What RunStore::importRuns did.
struct ImportReport {
  std::map<std::int64_t, std::int64_t> ids;  // source run id → its new id here, for every run copied
  std::int64_t alreadyPresent = 0;  // runs this store already has (same uuid): not copied again
  std::int64_t notEnded = 0;        // runs of a pipeline still queued or running in the source: left out
  std::int64_t unreachable = 0;     // runs whose parent chain is broken in the source: left out
};

// Filter for listing runs.
struct RunFilter {
  bool includeArchived = false;
  bool includeDeleted = false;
  bool onlyDeleted = false;  // the Trash: deleted runs only (includeArchived / includeDeleted then do not matter)
  bool topLevelOnly = false;
  std::string text;    // matched against name
  std::optional<RunStatus> status;  // none = any
  std::string tag;     // empty = any
  std::string seedGroup;  // empty = any
};

}  // namespace ternlab::store
