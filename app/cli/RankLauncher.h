#pragma once
#include <string>
#include <vector>

namespace ternlab::cli {

// How `run --nproc N` starts its ranks: the arguments every rank gets and the run's collective timeout.
struct RankLaunch {
  int processes = 2;
  std::vector<std::string> runArgs;  // `run` and its arguments, without --nproc (each rank adds its own)
  std::string db;                    // the store rank 0 records into
  double timeoutSeconds = 60;
  int threadsEach = 1;
};

// Starts the ranks of a local data-parallel run (loopback rendezvous on a free port) and waits for them. When one
// fails, the others are given the collective timeout to notice, then stopped; when rank 0 itself was killed, the
// run it left 'running' is marked failed naming rank 0 and the signal. Returns rank 0's exit code (1 if it died).
int launchLocalRanks(const RankLaunch& launch);

}  // namespace ternlab::cli
