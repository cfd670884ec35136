#pragma once
#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "train/Distributed.h"
#include "train/ExperimentRunner.h"

namespace ternlab::cli {

// The data-parallel options `run` and `resume` share: local processes, or this process's place in a run over
// several machines.
struct DataParallelArgs {
  int nproc = 1;
  int worldSize = 0;  // 0: $WORLD_SIZE, else 1
  int rank = -1;      // -1: $RANK, else 0
  std::string rendezvous;
  double timeout = 60;
  bool launchesRanks() const { return nproc > 1; }
  // This process is one rank of a run with more than one (from the options or $WORLD_SIZE).
  bool isRank() const;
};

void addDataParallelOptions(CLI::App* cmd, DataParallelArgs& a);

// Starts `--nproc` local ranks running `command` (`run FILE …` or `resume ID …`) and waits for them; returns the
// exit code (RankLauncher.h). threads: per rank, 0 = the cores shared among them.
int launchRanks(const DataParallelArgs& a, const std::vector<std::string>& command, const std::string& db, int threads);

// This process's rank, joined: the group is in options.parallel; a rank other than 0 records into a private
// store in the temporary directory (options.dbPath), removed when this object goes.
class RankContext {
 public:
  RankContext(const DataParallelArgs& a, train::RunOptions& options);
  ~RankContext();
  RankContext(const RankContext&) = delete;
  RankContext& operator=(const RankContext&) = delete;
  // Rank > 0: nothing it records is the run's record, and rank 0 reports the outcome.
  bool recordsPrivately() const { return !privateDir_.empty(); }
  // Rank > 0 resuming: the shared store's runs copied into the private store; the id run `id` has there.
  std::int64_t mirrorForResume(const std::string& sharedDb, std::int64_t id);
  // Every rank waits here for the others.
  void barrier() { group_->barrier(); }

 private:
  std::unique_ptr<train::DataParallel> group_;
  std::filesystem::path privateDir_;
  std::string privateDb_;
};

}  // namespace ternlab::cli
