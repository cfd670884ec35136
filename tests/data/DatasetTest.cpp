// IDX / CIFAR readers: real layouts written here, and corrupted bytes that must name file and fault.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <zlib.h>

#include <filesystem>
#include "TestDir.h"
#include <fstream>

#include "data/BatchIterator.h"
#include "data/DataError.h"
#include "data/Dataset.h"
#include "data/IdxReader.h"

using namespace ternlab::data;
namespace fs = std::filesystem;

namespace {

fs::path tempDir() { return ternlab::testsupport::freshTestDir("data"); }

std::vector<std::uint8_t> idx(std::vector<std::uint32_t> dims, const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> b{0, 0, 0x08, static_cast<std::uint8_t>(dims.size())};
  for (auto d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(d >> s));
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

void writeRaw(const fs::path& p, const std::vector<std::uint8_t>& b) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

void writeGz(const fs::path& p, const std::vector<std::uint8_t>& b) {
  gzFile f = gzopen(p.c_str(), "wb");
  gzwrite(f, b.data(), static_cast<unsigned>(b.size()));
  gzclose(f);
}

std::string errorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

// A tiny Fashion-MNIST-shaped directory: n images of 2×3 pixels with known values.
void writeTinyMnist(const fs::path& dir, int n, bool gz) {
  std::vector<std::uint8_t> px, lb;
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < 6; ++k) px.push_back(static_cast<std::uint8_t>(i * 10 + k));
    lb.push_back(static_cast<std::uint8_t>(i % 10));
  }
  auto w = gz ? writeGz : writeRaw;
  const std::string ext = gz ? ".gz" : "";
  w(dir / ("train-images-idx3-ubyte" + ext), idx({static_cast<std::uint32_t>(n), 2, 3}, px));
  w(dir / ("train-labels-idx1-ubyte" + ext), idx({static_cast<std::uint32_t>(n)}, lb));
  w(dir / ("t10k-images-idx3-ubyte" + ext), idx({static_cast<std::uint32_t>(n), 2, 3}, px));
  w(dir / ("t10k-labels-idx1-ubyte" + ext), idx({static_cast<std::uint32_t>(n)}, lb));
}

}  // namespace

TEST(IdxReader, ReadsRawAndGzipIdentically) {
  auto d = tempDir();
  const std::vector<std::uint8_t> data{1, 2, 3, 4, 5, 6};
  writeRaw(d / "a", idx({1, 2, 3}, data));
  writeGz(d / "a.gz", idx({1, 2, 3}, data));
  for (const auto* name : {"a", "a.gz"}) {
    auto arr = readIdx((d / name).string(), 3);
    EXPECT_EQ(arr.dims, (std::vector<std::int64_t>{1, 2, 3}));
    EXPECT_EQ(arr.values, data);
  }
}

TEST(IdxReader, CorruptFilesNameFileAndFault) {
  auto d = tempDir();
  const auto f = (d / "bad").string();
  EXPECT_EQ(errorOf([&] { readIdx((d / "missing").string(), 3); }), (d / "missing").string() + ": file not found");
  writeRaw(f, {0x12, 0x34, 0x08, 0x03, 0, 0, 0, 1});
  EXPECT_EQ(errorOf([&] { readIdx(f, 3); }), f + ": wrong magic number: not an IDX file");
  writeRaw(f, idx({2, 2, 2}, {1, 2, 3}));
  EXPECT_EQ(errorOf([&] { readIdx(f, 3); }), f + ": wrong size: header promises 8 bytes of data, file has 3 (truncated)");
  writeRaw(f, idx({2}, {1, 2}));
  EXPECT_NE(errorOf([&] { readIdx(f, 3); }).find("rank 1, expected 3"), std::string::npos);
  // A gzip stream cut in half.
  writeGz(f + ".gz", idx({100, 10, 10}, std::vector<std::uint8_t>(10000, 7)));
  auto bytes = std::vector<char>(fs::file_size(f + ".gz"));
  std::ifstream(f + ".gz", std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::ofstream(f + ".gz", std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  EXPECT_EQ(errorOf([&] { readIdx(f + ".gz", 3); }), f + ".gz: gzip stream is truncated");
}

TEST(DatasetIntegration, LoadsMnistLayoutAndNormalises) {
  auto d = tempDir();
  writeTinyMnist(d, 4, true);
  auto pair = loadDataset("fashion-mnist", d.string());
  ASSERT_EQ(pair.train.images.sizes(), (std::vector<std::int64_t>{4, 1, 2, 3}));
  EXPECT_TRUE(torch::equal(pair.train.labels, torch::tensor({0, 1, 2, 3}, torch::kInt64)));
  EXPECT_NEAR(pair.train.images.mean().item<double>(), 0.0, 1e-5);
  EXPECT_NEAR(pair.train.images.std(false).item<double>(), 1.0, 1e-4);
  auto limited = loadDataset("fashion-mnist", d.string(), 2, 3);
  EXPECT_EQ(limited.train.size(), 2);
  EXPECT_EQ(limited.test.size(), 3);
}

TEST(Dataset, MismatchedLabelsAndBadLabelValues) {
  auto d = tempDir();
  writeTinyMnist(d, 4, false);
  writeRaw(d / "train-labels-idx1-ubyte", idx({3}, {0, 1, 2}));
  EXPECT_NE(errorOf([&] { loadDataset("fashion-mnist", d.string()); }).find("holds 3 labels but"), std::string::npos);
  writeRaw(d / "train-labels-idx1-ubyte", idx({4}, {0, 1, 2, 42}));
  EXPECT_NE(errorOf([&] { loadDataset("fashion-mnist", d.string()); }).find("label 42 at index 3 is outside 0..9"),
            std::string::npos);
}

TEST(Dataset, Cifar10BatchesAndWrongSize) {
  auto d = tempDir();
  std::vector<std::uint8_t> rec;
  for (int r = 0; r < 3; ++r) {
    rec.push_back(static_cast<std::uint8_t>(r + 5));
    for (int k = 0; k < 3072; ++k) rec.push_back(static_cast<std::uint8_t>((k + r) % 251));
  }
  writeRaw(d / "b.bin", rec);
  auto ds = readCifar10Batches({(d / "b.bin").string()}, "cifar10");
  EXPECT_EQ(ds.images.sizes(), (std::vector<std::int64_t>{3, 3, 32, 32}));
  EXPECT_TRUE(torch::equal(ds.labels, torch::tensor({5, 6, 7}, torch::kInt64)));
  EXPECT_NEAR(ds.images[1][0][0][1].item<float>(), 2.0f / 255.0f, 1e-7);
  rec.pop_back();
  writeRaw(d / "b.bin", rec);
  EXPECT_NE(errorOf([&] { readCifar10Batches({(d / "b.bin").string()}, "cifar10"); }).find("not a whole number"),
            std::string::npos);
}

TEST(BatchIteratorIntegration, SameSeedSameOrderAndEveryImageOnce) {
  Dataset ds;
  ds.images = torch::arange(10, torch::kFloat32).view({10, 1, 1, 1});
  ds.labels = torch::arange(10, torch::kInt64);
  BatchIterator a(ds, 3, true, 42), b(ds, 3, true, 42), c(ds, 3, true, 43);
  EXPECT_EQ(a.batches(), 4);
  std::vector<std::int64_t> seenA, seenB, seenC;
  for (std::int64_t i = 0; i < a.batches(); ++i) {
    auto la = a.batch(i).labels, lb = b.batch(i).labels, lc = c.batch(i).labels;
    for (int k = 0; k < la.size(0); ++k) seenA.push_back(la[k].item<std::int64_t>());
    for (int k = 0; k < lb.size(0); ++k) seenB.push_back(lb[k].item<std::int64_t>());
    for (int k = 0; k < lc.size(0); ++k) seenC.push_back(lc[k].item<std::int64_t>());
  }
  EXPECT_EQ(seenA, seenB);
  EXPECT_NE(seenA, seenC);
  auto sorted = seenA;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(sorted[i], i);
}
