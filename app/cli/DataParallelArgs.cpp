#include "DataParallelArgs.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "RankLauncher.h"
#include "store/RunStore.h"

namespace ternlab::cli {

namespace fs = std::filesystem;

bool DataParallelArgs::isRank() const {
  if (worldSize > 0) return worldSize > 1;
  const char* env = std::getenv("WORLD_SIZE");
  return env && *env && std::string(env) != "1";
}

void addDataParallelOptions(CLI::App* cmd, DataParallelArgs& a) {
  const char* group = "Data-parallel training (LibTorch c10d, Gloo)";
  cmd->add_option("--nproc", a.nproc, "train data-parallel in N local processes, batch_size images per process")
      ->check(CLI::Range(1, 64))
      ->group(group);
  cmd->add_option("--world-size", a.worldSize, "processes of a run over several machines (default: $WORLD_SIZE, else 1)")
      ->check(CLI::Range(1, 1024))
      ->group(group);
  cmd->add_option("--rank", a.rank, "this process's rank, 0 to world size - 1; rank 0 records the run (default: $RANK)")
      ->check(CLI::Range(0, 1023))
      ->group(group);
  cmd->add_option("--rendezvous", a.rendezvous,
                  "HOST:PORT where rank 0 listens (default: $MASTER_ADDR:$MASTER_PORT, else 127.0.0.1:29500)")
      ->group(group);
  cmd->add_option("--timeout", a.timeout, "seconds a rank waits for a peer before the run fails (default 60)")
      ->check(CLI::Range(1.0, 86400.0))
      ->group(group);
}

int launchRanks(const DataParallelArgs& a, const std::vector<std::string>& command, const std::string& db, int threads) {
  RankLaunch launch;
  launch.processes = a.nproc;
  launch.db = db;
  launch.runArgs = command;
  launch.timeoutSeconds = a.timeout;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  launch.threadsEach = threads > 0 ? threads : std::max(1, cores / a.nproc);
  return launchLocalRanks(launch);
}

RankContext::RankContext(const DataParallelArgs& a, train::RunOptions& options) {
  train::DistributedOptions d;
  d.worldSize = a.worldSize;
  d.rank = a.rank;
  d.host.clear();
  d.port = 0;
  if (!a.rendezvous.empty()) train::parseRendezvous(a.rendezvous, d);
  d.timeoutSeconds = a.timeout;
  d = train::resolveDistributed(d);
  group_ = std::make_unique<train::DataParallel>(d);
  options.parallel = group_.get();
  if (d.rank > 0) {
    privateDir_ = fs::temp_directory_path() / ("ternlab-rank" + std::to_string(d.rank) + "-" + std::to_string(::getpid()));
    fs::create_directories(privateDir_);
    privateDb_ = (privateDir_ / "runs.sqlite").string();
    options.dbPath = privateDb_;
  }
}

RankContext::~RankContext() {
  std::error_code ec;
  if (!privateDir_.empty()) fs::remove_all(privateDir_, ec);
}

std::int64_t RankContext::mirrorForResume(const std::string& sharedDb, std::int64_t id) {
  {
    store::RunStore shared(sharedDb);
    shared.markStaleRunsInterrupted();  // as rank 0 does before it resumes: the same runs count as ended
  }
  store::RunStore mine(privateDb_);
  const auto copied = mine.importRuns(sharedDb);
  const auto it = copied.ids.find(id);
  if (it == copied.ids.end())
    throw std::runtime_error("run " + std::to_string(id) + " of " + sharedDb + " cannot be resumed: it has not ended");
  return it->second;
}

}  // namespace ternlab::cli
