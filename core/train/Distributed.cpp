#include "train/Distributed.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace ternlab::train {

namespace {

using Clock = std::chrono::steady_clock;

int parseInt(const std::string& text, const std::string& what) {
  std::size_t used = 0;
  long v = 0;
  try {
    v = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) throw DistributedError(what + ": expected an integer, got '" + text + "'");
  return static_cast<int>(v);
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// The Gloo device: the interface named by GLOO_SOCKET_IFNAME (as in PyTorch), loopback for a loopback
// rendezvous, else this machine's hostname address.
std::shared_ptr<::gloo::transport::Device> device(const std::string& host) {
  if (const char* ifname = env("GLOO_SOCKET_IFNAME")) return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (host == "localhost" || host.rfind("127.", 0) == 0) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

int freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw DistributedError(std::string("cannot open a socket for the rendezvous: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw DistributedError(std::string("cannot find a free port for the rendezvous: ") + std::strerror(errno));
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

void parseRendezvous(const std::string& text, DistributedOptions& into) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw DistributedError("--rendezvous: expected HOST:PORT, got '" + text + "'");
  into.host = text.substr(0, colon);
  into.port = parseInt(text.substr(colon + 1), "--rendezvous port");
}

std::vector<std::string> rankFlags(const DistributedOptions& o, int threads) {
  return {"--world-size", std::to_string(o.worldSize), "--rank", std::to_string(o.rank), "--rendezvous",
          o.host + ":" + std::to_string(o.port), "--timeout", std::to_string(o.timeoutSeconds), "--threads",
          std::to_string(threads)};
}

DistributedOptions resolveDistributed(DistributedOptions o) {
  if (o.worldSize <= 0) o.worldSize = env("WORLD_SIZE") ? parseInt(env("WORLD_SIZE"), "WORLD_SIZE") : 1;
  if (o.rank < 0) o.rank = env("RANK") ? parseInt(env("RANK"), "RANK") : 0;
  if (o.host.empty()) o.host = env("MASTER_ADDR") ? env("MASTER_ADDR") : "127.0.0.1";
  if (o.port <= 0) o.port = env("MASTER_PORT") ? parseInt(env("MASTER_PORT"), "MASTER_PORT") : 29500;
  if (o.worldSize < 1 || o.worldSize > 1024)
    throw DistributedError("--world-size: expected 1 to 1024 processes, got " + std::to_string(o.worldSize));
  if (o.rank < 0 || o.rank >= o.worldSize)
    throw DistributedError("--rank: expected 0 to " + std::to_string(o.worldSize - 1) + " for world size " +
                           std::to_string(o.worldSize) + ", got " + std::to_string(o.rank));
  if (o.port < 1 || o.port > 65535) throw DistributedError("--rendezvous port: expected 1 to 65535, got " + std::to_string(o.port));
  if (!(o.timeoutSeconds > 0)) throw DistributedError("--timeout: expected a positive number of seconds");
  return o;
}

struct DataParallel::Impl {
  DistributedOptions options;
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  std::chrono::milliseconds timeout{0};
  CommStats stats;

  // Runs one collective and waits for it; a peer that is gone or silent past the timeout ends the run here.
  template <typename Launch>
  void run(const char* what, std::int64_t bytes, Launch launch) {
    const auto t0 = Clock::now();
    try {
      auto work = launch();
      work->wait(timeout);
    } catch (const std::exception& e) {
      const std::string peer = options.worldSize == 2 ? "rank " + std::to_string(1 - options.rank) : "a peer rank";
      throw DistributedError("rank " + std::to_string(options.rank) + " of " + std::to_string(options.worldSize) + ": " +
                             what + " failed: " + peer + " stopped or did not answer within " +
                             std::to_string(static_cast<int>(options.timeoutSeconds)) + " s (" + firstLine(e.what()) + ")");
    }
    stats.seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    stats.bytes += bytes;
    ++stats.allreduces;
  }

  static std::string firstLine(const std::string& s) {
    const auto nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl);
  }

  void allreduce(at::Tensor& flat, const char* what) {
    std::vector<at::Tensor> one{flat};
    c10d::AllreduceOptions o;
    o.timeout = timeout;
    run(what, flat.numel() * static_cast<std::int64_t>(flat.element_size()), [&] { return group->allreduce(one, o); });
  }
};

DataParallel::DataParallel(const DistributedOptions& options) : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  m.options = options;
  m.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(options.timeoutSeconds * 1000));
  const std::string who = "rank " + std::to_string(options.rank) + " of " + std::to_string(options.worldSize);
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(options.port);
    so.isServer = options.rank == 0;
    so.numWorkers = options.worldSize;
    so.waitWorkers = true;
    so.timeout = m.timeout;
    m.store = c10::make_intrusive<c10d::TCPStore>(options.host, so);
    auto go = c10d::ProcessGroupGloo::Options::create(m.timeout);
    go->devices.push_back(device(options.host));
    go->threads = 2;
    m.group = c10::make_intrusive<c10d::ProcessGroupGloo>(m.store, options.rank, options.worldSize, go);
  } catch (const std::exception& e) {
    throw DistributedError(who + ": cannot join the rendezvous at " + options.host + ":" + std::to_string(options.port) +
                           " within " + std::to_string(static_cast<int>(options.timeoutSeconds)) + " s: " +
                           Impl::firstLine(e.what()));
  }
}

DataParallel::~DataParallel() = default;

int DataParallel::rank() const { return impl_->options.rank; }
int DataParallel::worldSize() const { return impl_->options.worldSize; }
const CommStats& DataParallel::stats() const { return impl_->stats; }

void DataParallel::broadcastFromRankZero(const std::vector<at::Tensor>& tensors) {
  torch::NoGradGuard guard;
  for (const auto& t : tensors) {
    std::vector<at::Tensor> one{t.is_contiguous() ? t : t.contiguous()};
    c10d::BroadcastOptions o;
    o.rootRank = 0;
    o.timeout = impl_->timeout;
    impl_->run("broadcast", t.numel() * static_cast<std::int64_t>(t.element_size()),
               [&] { return impl_->group->broadcast(one, o); });
    if (!t.is_contiguous()) t.copy_(one[0]);
  }
}

void DataParallel::averageGradients(const std::vector<at::Tensor>& params, std::vector<double>& sums) {
  torch::NoGradGuard guard;
  const double world = impl_->options.worldSize;
  // Buckets of consecutive parameters; the step statistics ride in the last one as float32 (exact for hit and
  // image counts below 2^24, and a logged loss needs no more), so the gradients need not be widened to float64.
  std::vector<std::vector<at::Tensor>> buckets(1);
  std::int64_t bytes = 0;
  for (const auto& p : params) {
    if (!p.grad().defined()) continue;
    if (bytes > 0 && bytes + p.numel() * 4 > kBucketBytes) {
      buckets.emplace_back();
      bytes = 0;
    }
    buckets.back().push_back(p);
    bytes += p.numel() * 4;
  }
  for (std::size_t b = 0; b < buckets.size(); ++b) {
    std::vector<at::Tensor> parts;
    for (const auto& p : buckets[b]) parts.push_back(p.grad().reshape({-1}));
    const bool last = b + 1 == buckets.size();
    if (last && !sums.empty()) parts.push_back(torch::tensor(std::vector<float>(sums.begin(), sums.end())));
    if (parts.empty()) continue;
    auto flat = torch::cat(parts);
    impl_->allreduce(flat, "gradient allreduce");
    std::int64_t at = 0;
    for (const auto& p : buckets[b]) {
      const auto n = p.numel();
      p.grad().copy_(flat.slice(0, at, at + n).view_as(p.grad()).div_(world));
      at += n;
    }
    if (last && !sums.empty()) {
      const auto tail = flat.slice(0, at, at + static_cast<std::int64_t>(sums.size()));
      for (std::size_t i = 0; i < sums.size(); ++i) sums[i] = tail[static_cast<std::int64_t>(i)].item<double>();
    }
  }
}

void DataParallel::averageTensors(const std::vector<at::Tensor>& tensors) {
  torch::NoGradGuard guard;
  std::vector<at::Tensor> floating;
  for (const auto& t : tensors)
    if (t.is_floating_point() && t.numel() > 0) floating.push_back(t);
  if (floating.empty()) return;
  std::vector<at::Tensor> parts;
  for (const auto& t : floating) parts.push_back(t.to(torch::kFloat64).reshape({-1}));
  auto flat = torch::cat(parts);
  impl_->allreduce(flat, "running-statistics allreduce");
  flat.div_(static_cast<double>(impl_->options.worldSize));
  std::int64_t at = 0;
  for (const auto& t : floating) {
    t.copy_(flat.slice(0, at, at + t.numel()).view_as(t));
    at += t.numel();
  }
}

void DataParallel::sum(std::vector<double>& values) {
  if (values.empty()) return;
  auto flat = torch::tensor(values, torch::kFloat64);
  impl_->allreduce(flat, "sum");
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = flat[static_cast<std::int64_t>(i)].item<double>();
}

void DataParallel::sumInPlace(at::Tensor& t) { impl_->allreduce(t, "batch-statistics allreduce"); }

void DataParallel::barrier() {
  std::vector<double> one{0.0};
  sum(one);  // a barrier that fails on a lost peer as every other collective does
}

}  // namespace ternlab::train
