#pragma once
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace ternlab::train {

// Raised when a data-parallel run cannot start or loses a rank; the message names the rank and the cause.
class DistributedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where this process sits in a data-parallel run (the PyTorch DDP vocabulary: world size, rank, rendezvous).
struct DistributedOptions {
  int worldSize = 1;
  int rank = 0;
  std::string host = "127.0.0.1";  // the rendezvous (rank 0's TCPStore)
  int port = 29500;
  double timeoutSeconds = 60;  // a rank that dies or never joins stops every other rank within this time
  bool enabled() const { return worldSize > 1; }
};

// `given` completed from WORLD_SIZE, RANK, MASTER_ADDR and MASTER_PORT where it leaves them unset (worldSize 0,
// rank −1, empty host, port 0), then checked; a bad value throws DistributedError naming the argument or variable.
DistributedOptions resolveDistributed(DistributedOptions given);
// "HOST:PORT" → host and port; throws DistributedError naming --rendezvous.
void parseRendezvous(const std::string& text, DistributedOptions& into);
// The `run`/`resume` flags that make a ternlab-cli process rank o.rank of o's run, with `threads` intra-op threads:
// what a launcher (`run --nproc`, the workbench) appends to the command it starts.
std::vector<std::string> rankFlags(const DistributedOptions& o, int threads);

// A TCP port on loopback that nothing listens on now (the kernel's choice), for a local run's rendezvous.
int freeLoopbackPort();

// Traffic of a data-parallel run so far, for the benchmark and the run record.
struct CommStats {
  std::int64_t allreduces = 0;
  std::int64_t bytes = 0;  // payload this rank contributed
  double seconds = 0;      // wall time inside collectives
};

// The process group of a data-parallel run: LibTorch's c10d ProcessGroupGloo over a TCPStore rendezvous, with
// every collective waited on under the run's timeout, so a lost peer becomes a DistributedError.
class DataParallel {
 public:
  explicit DataParallel(const DistributedOptions& options);
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  int rank() const;
  int worldSize() const;
  // Rank 0's values of tensors on every rank (the initial parameters and buffers).
  void broadcastFromRankZero(const std::vector<at::Tensor>& tensors);
  // Gradients of params averaged over the ranks, in buckets of about bucketBytes; `sums` (step statistics) is
  // summed over the ranks in the same collective.
  void averageGradients(const std::vector<at::Tensor>& params, std::vector<double>& sums);
  // Floating tensors (BatchNorm and quantizer running statistics) averaged over the ranks, in place.
  void averageTensors(const std::vector<at::Tensor>& tensors);
  // values summed over the ranks.
  void sum(std::vector<double>& values);
  // t (contiguous) summed over the ranks, in place.
  void sumInPlace(at::Tensor& t);
  void barrier();
  const CommStats& stats() const;

  static constexpr std::int64_t kBucketBytes = 4 << 20;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ternlab::train
