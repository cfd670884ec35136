// The "npy" dataset and the fixed-seed train/test split shared by every own-data loader.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "data/DataError.h"
#include "data/OwnData.h"
#include "io/Npz.h"
#include "io/RegularFile.h"

namespace ternlab::data {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxNpyBytes = std::size_t{4} << 30;  // 4 GiB: as the IDX reader
constexpr std::int64_t kMaxClasses = 1000;

at::Tensor readNpy(const std::string& path) {
  if (!fs::exists(path)) throw DataError(path, "file not found");
  const auto bytes = io::readRegularFile(path, kMaxNpyBytes, "a .npy file");
  try {
    return npz::decodeNpy(bytes);
  } catch (const std::exception& e) {
    throw DataError(path, e.what());
  }
}

// x -> float N x C x H x W in the training graph's scale.
at::Tensor imagesOf(const at::Tensor& x, const std::string& path) {
  if (x.dim() != 3 && x.dim() != 4)
    throw DataError(path, "images must be N x C x H x W or N x H x W, not " + std::to_string(x.dim()) + "-D");
  at::Tensor t = x.dim() == 3 ? x.unsqueeze(1) : x;
  if (t.size(0) == 0) throw DataError(path, "holds no images");
  if (t.size(1) != 1 && t.size(1) != 3)
    throw DataError(path, "images have " + std::to_string(t.size(1)) + " channels (1 or 3 expected, channels first)");
  if (t.size(2) != t.size(3) || t.size(2) < 8)
    throw DataError(path, "images are " + std::to_string(t.size(2)) + " x " + std::to_string(t.size(3)) +
                              "; the model zoo takes square images of at least 8 x 8");
  if (t.scalar_type() == torch::kUInt8) return t.to(torch::kFloat32).div_(255.0);
  if (t.scalar_type() != torch::kFloat32) throw DataError(path, "images must be uint8 or float32");
  if (!torch::isfinite(t).all().item<bool>()) throw DataError(path, "images hold NaN or infinite values");
  return t.contiguous();
}

at::Tensor labelsOf(const at::Tensor& y, std::int64_t n, const std::string& path) {
  const auto type = y.scalar_type();
  if (type != torch::kInt64 && type != torch::kInt32 && type != torch::kUInt8 && type != torch::kInt8)
    throw DataError(path, "labels must be integers (int8, uint8, int32 or int64)");
  if (y.dim() != 1 || y.size(0) != n)
    throw DataError(path, "holds " + std::to_string(y.numel()) + " labels for " + std::to_string(n) + " images");
  const auto l = y.to(torch::kInt64).contiguous();
  if (n > 0) {
    const auto lo = l.min().item<std::int64_t>(), hi = l.max().item<std::int64_t>();
    if (lo < 0 || hi >= kMaxClasses)
      throw DataError(path, "label " + std::to_string(lo < 0 ? lo : hi) + " is outside 0.." +
                                std::to_string(kMaxClasses - 1));
  }
  return l;
}

Dataset readPair(const std::string& xPath, const std::string& yPath) {
  Dataset d;
  d.name = "npy";
  d.images = imagesOf(readNpy(xPath), xPath);
  d.labels = labelsOf(readNpy(yPath), d.images.size(0), yPath);
  return d;
}

}  // namespace

DatasetPair splitByFraction(const Dataset& all, double testFraction, const std::string& where) {
  const std::int64_t n = all.size();
  const auto nTest = static_cast<std::int64_t>(std::ceil(testFraction * static_cast<double>(n)));
  if (testFraction <= 0 || nTest < 1 || nTest >= n)
    throw DataError(where, "no test split: give dataset.test_fraction (0 < f < 1, e.g. 0.2) or test files (" +
                               std::to_string(n) + " images)");
  // Fisher–Yates with a fixed seed and a plain modulo: the same split on every machine and library.
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  std::mt19937_64 rng(20261202);
  for (std::int64_t i = n - 1; i > 0; --i) std::swap(order[static_cast<std::size_t>(i)], order[rng() % static_cast<std::uint64_t>(i + 1)]);
  std::vector<std::int64_t> test(order.begin(), order.begin() + nTest), train(order.begin() + nTest, order.end());
  std::sort(test.begin(), test.end());
  std::sort(train.begin(), train.end());
  auto take = [&](const std::vector<std::int64_t>& idx) {
    Dataset d;
    d.name = all.name;
    d.numClasses = all.numClasses;
    const auto i = torch::tensor(idx, torch::kInt64);
    d.images = all.images.index_select(0, i);
    d.labels = all.labels.index_select(0, i);
    return d;
  };
  return {take(train), take(test), {}, {}};
}

DatasetPair loadNpyDataset(const std::string& dir, const OwnDataOptions& o) {
  const fs::path d(dir);
  DatasetPair pair;
  if (fs::exists(d / "x_train.npy")) {
    pair.train = readPair((d / "x_train.npy").string(), (d / "y_train.npy").string());
    if (!fs::exists(d / "x_test.npy")) {
      pair = splitByFraction(pair.train, o.testFraction, (d / "x_train.npy").string() + " (no x_test.npy)");
    } else {
      pair.test = readPair((d / "x_test.npy").string(), (d / "y_test.npy").string());
    }
  } else if (fs::exists(d / "x.npy")) {
    pair = splitByFraction(readPair((d / "x.npy").string(), (d / "y.npy").string()), o.testFraction,
                           (d / "x.npy").string());
  } else {
    throw DataError((d / "x_train.npy").string(), "file not found (nor x.npy): an npy dataset folder holds "
                                                  "x_train.npy, y_train.npy[, x_test.npy, y_test.npy] or x.npy, y.npy");
  }
  if (pair.test.images.sizes().slice(1) != pair.train.images.sizes().slice(1))
    throw DataError((d / "x_test.npy").string(), "test images are shaped unlike the training images");
  const auto classes = std::max(pair.train.labels.max().item<std::int64_t>(),
                                pair.test.size() ? pair.test.labels.max().item<std::int64_t>() : 0) + 1;
  if (classes < 2) throw DataError(dir, "the labels name a single class; at least two are needed");
  pair.train.numClasses = pair.test.numClasses = static_cast<int>(classes);
  return pair;
}

}  // namespace ternlab::data
