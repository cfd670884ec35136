#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace ternlab::cli {

// Starts this same ternlab-cli executable with argv (argv[0] included) as a child process; returns its pid, or
// −1 when fork fails. How `sweep` runs its points and `run --nproc` its ranks.
pid_t spawnSelf(const std::vector<std::string>& argv);

}  // namespace ternlab::cli
