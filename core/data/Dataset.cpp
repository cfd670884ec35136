#include "data/Dataset.h"

#include <torch/torch.h>

#include <filesystem>

#include "data/ByteFile.h"
#include "data/DataError.h"
#include "data/IdxReader.h"
#include "data/OwnData.h"

namespace ternlab::data {

namespace fs = std::filesystem;

namespace {

// Finds "<stem>" or "<stem>.gz" in dir; names both candidates when neither exists.
std::string findIdx(const std::string& dir, const std::string& stem) {
  const fs::path plain = fs::path(dir) / stem;
  const fs::path gz = fs::path(dir) / (stem + ".gz");
  if (fs::exists(gz)) return gz.string();
  if (fs::exists(plain)) return plain.string();
  throw DataError(gz.string(), "file not found (nor " + plain.filename().string() + ")");
}

void normalise(DatasetPair& pair) {
  // Per-channel mean and std of the train split, applied to both splits.
  auto mean = pair.train.images.mean({0, 2, 3}, /*keepdim=*/true);
  auto std = pair.train.images.std({0, 2, 3}, /*unbiased=*/false, /*keepdim=*/true).clamp_min(1e-6);
  pair.train.images = (pair.train.images - mean) / std;
  pair.test.images = (pair.test.images - mean) / std;
  pair.mean = mean, pair.std = std;
}

Dataset limit(Dataset d, std::int64_t n) {
  if (n > 0 && n < d.size()) {
    d.images = d.images.slice(0, 0, n).clone();
    d.labels = d.labels.slice(0, 0, n).clone();
  }
  return d;
}

}  // namespace

Dataset readMnistSplit(const std::string& imagesPath, const std::string& labelsPath, const std::string& name) {
  const auto images = readIdx(imagesPath, 3);
  const auto labels = readIdx(labelsPath, 1);
  if (images.dims[0] != labels.dims[0])
    throw DataError(labelsPath, "holds " + std::to_string(labels.dims[0]) + " labels but " + imagesPath + " holds " +
                                    std::to_string(images.dims[0]) + " images");
  for (std::size_t i = 0; i < labels.values.size(); ++i)
    if (labels.values[i] > 9)
      throw DataError(labelsPath, "label " + std::to_string(labels.values[i]) + " at index " + std::to_string(i) +
                                      " is outside 0..9");
  Dataset d;
  d.name = name;
  const auto n = images.dims[0], h = images.dims[1], w = images.dims[2];
  d.images = torch::from_blob(const_cast<std::uint8_t*>(images.values.data()), {n, 1, h, w}, torch::kUInt8)
                 .to(torch::kFloat32)
                 .div_(255.0);
  d.labels = torch::from_blob(const_cast<std::uint8_t*>(labels.values.data()), {n}, torch::kUInt8).to(torch::kInt64);
  return d;
}

Dataset readCifar10Batches(const std::vector<std::string>& paths, const std::string& name) {
  constexpr std::size_t kRecord = 1 + 3 * 32 * 32;
  constexpr std::size_t kMaxCifarRecords = 100000;  // ten times a real batch
  std::vector<std::uint8_t> pixels;
  std::vector<std::int64_t> labels;
  for (const auto& path : paths) {
    const auto bytes = readMaybeGzipped(path, kMaxCifarRecords * kRecord, "CIFAR-10 batch file (100000 records)");
    if (bytes.size() % kRecord != 0)
      throw DataError(path, "wrong size: " + std::to_string(bytes.size()) + " bytes is not a whole number of 3073-byte CIFAR-10 records");
    for (std::size_t off = 0; off < bytes.size(); off += kRecord) {
      if (bytes[off] > 9)
        throw DataError(path, "label " + std::to_string(bytes[off]) + " of record " + std::to_string(off / kRecord) +
                                  " is outside 0..9 (not a CIFAR-10 batch?)");
      labels.push_back(bytes[off]);
      pixels.insert(pixels.end(), bytes.begin() + static_cast<std::ptrdiff_t>(off + 1),
                    bytes.begin() + static_cast<std::ptrdiff_t>(off + kRecord));
    }
  }
  Dataset d;
  d.name = name;
  const auto n = static_cast<std::int64_t>(labels.size());
  d.images = torch::from_blob(pixels.data(), {n, 3, 32, 32}, torch::kUInt8).to(torch::kFloat32).div_(255.0);
  d.labels = torch::from_blob(labels.data(), {n}, torch::kInt64).clone();
  return d;
}

std::string defaultDatasetPath(const std::string& name) {
  if (name == "fashion-mnist") return "/usr/share/datasets/fashion-mnist";
  if (name == "mnist") return "/usr/share/datasets/mnist";
  if (name == "cifar10") return "/usr/share/datasets/cifar-10-batches-bin";
  return "";
}

DatasetPair loadDataset(const std::string& name, const std::string& dir, std::int64_t trainLimit,
                        std::int64_t testLimit, const OwnDataOptions& own) {
  if (!fs::is_directory(dir)) throw DataError(dir, "dataset directory not found");
  DatasetPair pair;
  if (name == "fashion-mnist" || name == "mnist") {
    pair.train = readMnistSplit(findIdx(dir, "train-images-idx3-ubyte"), findIdx(dir, "train-labels-idx1-ubyte"), name);
    pair.test = readMnistSplit(findIdx(dir, "t10k-images-idx3-ubyte"), findIdx(dir, "t10k-labels-idx1-ubyte"), name);
  } else if (name == "cifar10") {
    std::vector<std::string> train;
    for (int i = 1; i <= 5; ++i) train.push_back((fs::path(dir) / ("data_batch_" + std::to_string(i) + ".bin")).string());
    pair.train = readCifar10Batches(train, name);
    pair.test = readCifar10Batches({(fs::path(dir) / "test_batch.bin").string()}, name);
  } else if (name == "npy") {
    pair = loadNpyDataset(dir, own);
  } else if (name == "image-folder") {
    pair = loadImageFolder(dir, own);
  } else {
    throw DataError(dir, "unknown dataset '" + name + "' (expected fashion-mnist, mnist, cifar10, npy or image-folder)");
  }
  pair.train = limit(std::move(pair.train), trainLimit);
  pair.test = limit(std::move(pair.test), testLimit);
  normalise(pair);
  return pair;
}

}  // namespace ternlab::data
