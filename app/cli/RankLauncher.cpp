#include "RankLauncher.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <thread>

#include "SelfProcess.h"
#include "store/RunStore.h"
#include "train/Distributed.h"

namespace ternlab::cli {

namespace {

std::string describe(int status) {
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
                                  strsignal(WTERMSIG(status)) + ")";
  return "exit code " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

int launchLocalRanks(const RankLaunch& launch) {
  train::DistributedOptions world;
  world.worldSize = launch.processes;
  world.port = train::freeLoopbackPort();
  world.timeoutSeconds = launch.timeoutSeconds;
  std::vector<pid_t> pids;
  for (int r = 0; r < launch.processes; ++r) {
    std::vector<std::string> argv{"ternlab-cli"};
    argv.insert(argv.end(), launch.runArgs.begin(), launch.runArgs.end());
    world.rank = r;
    const auto flags = train::rankFlags(world, launch.threadsEach);
    argv.insert(argv.end(), flags.begin(), flags.end());
    const pid_t pid = spawnSelf(argv);
    if (pid < 0) throw std::runtime_error(std::string("cannot start rank ") + std::to_string(r) + ": " + std::strerror(errno));
    pids.push_back(pid);
  }
  std::vector<int> status(pids.size(), 0);
  std::vector<bool> done(pids.size(), false);
  std::size_t left = pids.size();
  using Clock = std::chrono::steady_clock;
  std::optional<Clock::time_point> deadline;  // set when the first rank fails
  bool terminated = false;
  while (left > 0) {
    int st = 0;
    const pid_t pid = ::waitpid(-1, &st, WNOHANG);
    if (pid > 0) {
      for (std::size_t r = 0; r < pids.size(); ++r)
        if (pids[r] == pid && !done[r]) {
          done[r] = true;
          status[r] = st;
          --left;
          const bool failed = !WIFEXITED(st) || WEXITSTATUS(st) != 0;
          if (failed) {
            std::fprintf(stderr, "rank %zu ended: %s\n", r, describe(st).c_str());
            if (!deadline) deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                         std::chrono::duration<double>(launch.timeoutSeconds + 15));
          }
        }
      continue;
    }
    if (deadline && Clock::now() > *deadline) {  // a rank that has not noticed its lost peer by now never will
      for (std::size_t r = 0; r < pids.size(); ++r)
        if (!done[r]) ::kill(pids[r], terminated ? SIGKILL : SIGTERM);
      terminated = true;
      deadline = Clock::now() + std::chrono::seconds(5);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (WIFSIGNALED(status[0])) {
    store::RunStore db(launch.db);
    db.failRunsOfProcess(pids[0], "rank 0 of " + std::to_string(launch.processes) + " (pid " + std::to_string(pids[0]) +
                                      ") was " + describe(status[0]));
    return 1;
  }
  return WEXITSTATUS(status[0]);
}

}  // namespace ternlab::cli
