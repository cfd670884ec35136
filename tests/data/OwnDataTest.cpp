// A user's own data: .npy arrays and folders of PNG / JPEG files (written here by stb_image_write, a real
// encoder), their shapes, labels and split, and the errors that must name the file.
#include <gtest/gtest.h>
#include <stb/stb_image_write.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "ErrorOf.h"
#include "TestDir.h"
#include "data/DataError.h"
#include "data/Dataset.h"
#include "data/OwnData.h"
#include "io/Npz.h"

using namespace ternlab::data;
namespace fs = std::filesystem;

namespace {

using ternlab::testsupport::errorOf;

void writeNpy(const fs::path& p, const at::Tensor& t) {
  const auto bytes = ternlab::npz::encodeNpy(t);
  std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Image i of a class: a deterministic pattern whose mean grows with the class.
std::vector<std::uint8_t> pattern(int side, int channels, int cls, int i) {
  std::vector<std::uint8_t> px(static_cast<std::size_t>(side) * side * channels);
  for (std::size_t k = 0; k < px.size(); ++k) px[k] = static_cast<std::uint8_t>((cls * 80 + (k * 7 + i * 13) % 60) % 256);
  return px;
}

void writePng(const fs::path& p, int w, int h, int channels, const std::vector<std::uint8_t>& px) {
  ASSERT_NE(stbi_write_png(p.c_str(), w, h, channels, px.data(), w * channels), 0) << p;
}

}  // namespace

TEST(OwnDataTest, NpyTrainAndTestFilesKeepShapesLabelsAndScale) {
  const auto d = ternlab::testsupport::freshTestDir("owndata");
  auto x = torch::arange(6 * 1 * 8 * 8, torch::kInt64).remainder(256).to(torch::kUInt8).reshape({6, 1, 8, 8});
  writeNpy(d / "x_train.npy", x);
  writeNpy(d / "y_train.npy", torch::tensor({0, 1, 2, 0, 1, 2}, torch::kInt32));
  writeNpy(d / "x_test.npy", x.slice(0, 0, 2).reshape({2, 8, 8}));  // N x H x W: one channel
  writeNpy(d / "y_test.npy", torch::tensor({2, 1}, torch::kInt64));
  const auto pair = loadNpyDataset(d.string(), {});
  EXPECT_EQ(pair.train.images.sizes(), (std::vector<std::int64_t>{6, 1, 8, 8}));
  EXPECT_EQ(pair.test.images.sizes(), (std::vector<std::int64_t>{2, 1, 8, 8}));
  EXPECT_EQ(pair.train.numClasses, 3);
  EXPECT_FLOAT_EQ(pair.train.images[0][0][0][5].item<float>(), 5.0f / 255.0f);  // uint8 scaled by 1/255
  EXPECT_EQ(pair.test.labels[0].item<std::int64_t>(), 2);
}

TEST(OwnDataTest, NpySplitByFractionIsDisjointCompleteAndTheSameEveryTime) {
  const auto d = ternlab::testsupport::freshTestDir("owndata");
  const auto n = 50;
  auto x = torch::arange(n, torch::kFloat32).reshape({n, 1, 1, 1}).expand({n, 3, 8, 8}).contiguous();
  writeNpy(d / "x.npy", x);
  writeNpy(d / "y.npy", torch::arange(n, torch::kInt64).remainder(4));
  OwnDataOptions o;
  o.testFraction = 0.2;
  const auto a = loadNpyDataset(d.string(), o), b = loadNpyDataset(d.string(), o);
  ASSERT_EQ(a.test.size(), 10);  // ceil(0.2 * 50)
  ASSERT_EQ(a.train.size(), 40);
  EXPECT_TRUE(torch::equal(a.test.images, b.test.images));
  const auto ids = torch::cat({a.train.images.select(1, 0).select(1, 0).select(1, 0),
                               a.test.images.select(1, 0).select(1, 0).select(1, 0)});
  EXPECT_TRUE(torch::equal(std::get<0>(ids.sort()), torch::arange(n, torch::kFloat32)));  // every image once
  EXPECT_FALSE(torch::equal(a.test.images.select(1, 0).select(1, 0).select(1, 0), torch::arange(10, torch::kFloat32)))
      << "the test split is drawn, not the first images";
  EXPECT_EQ(a.train.images.size(1), 3);
  EXPECT_EQ(a.train.numClasses, 4);
}

TEST(OwnDataTest, BadNpyFilesNameTheFileAndTheFault) {
  const auto d = ternlab::testsupport::freshTestDir("owndata");
  writeNpy(d / "x.npy", torch::zeros({4, 1, 8, 8}, torch::kUInt8));
  EXPECT_NE(errorOf<DataError>([&] { loadNpyDataset(d.string(), {}); }).find((d / "y.npy").string()), std::string::npos);
  writeNpy(d / "y.npy", torch::tensor({0, 1, 1}, torch::kInt64));
  EXPECT_NE(errorOf<DataError>([&] { loadNpyDataset(d.string(), {}); }).find("holds 3 labels for 4 images"), std::string::npos);
  writeNpy(d / "y.npy", torch::tensor({0, 1, -1, 0}, torch::kInt64));
  EXPECT_NE(errorOf<DataError>([&] { loadNpyDataset(d.string(), {}); }).find("label -1 is outside"), std::string::npos);
  writeNpy(d / "y.npy", torch::tensor({0.5f, 1.f, 1.f, 0.f}));
  EXPECT_NE(errorOf<DataError>([&] { loadNpyDataset(d.string(), {}); }).find("labels must be integers"), std::string::npos);
  writeNpy(d / "y.npy", torch::tensor({0, 1, 1, 0}, torch::kInt64));
  EXPECT_NE(errorOf<DataError>([&] { loadNpyDataset(d.string(), {}); }).find("no test split"), std::string::npos);
  writeNpy(d / "x.npy", torch::zeros({4, 1, 8, 9}, torch::kUInt8));
  EXPECT_NE(errorOf<DataError>([&] { loadNpyDataset(d.string(), {}); }).find("square images"), std::string::npos);
  writeNpy(d / "x.npy", torch::zeros({4, 2, 8, 8}, torch::kUInt8));
  EXPECT_NE(errorOf<DataError>([&] { loadNpyDataset(d.string(), {}); }).find("2 channels"), std::string::npos);
  auto nan = torch::zeros({4, 1, 8, 8});
  nan[1][0][2][3] = std::numeric_limits<float>::quiet_NaN();
  writeNpy(d / "x.npy", nan);
  const auto e = errorOf<DataError>([&] { loadNpyDataset(d.string(), {}); });
  EXPECT_NE(e.find((d / "x.npy").string() + ": images hold NaN"), std::string::npos) << e;
  std::ofstream(d / "x.npy", std::ios::trunc) << "not numpy";
  EXPECT_NE(errorOf<DataError>([&] { loadNpyDataset(d.string(), {}); }).find((d / "x.npy").string() + ": npy: bad magic"),
            std::string::npos);
}

TEST(OwnDataTest, ImageFolderDecodesPngExactlyInSortedClassOrder) {
  const auto d = ternlab::testsupport::freshTestDir("owndata");
  for (const auto* split : {"train", "test"})
    for (int c = 0; c < 3; ++c) {
      const auto folder = d / split / (std::string("class-") + static_cast<char>('c' - c));  // class-c, -b, -a
      fs::create_directories(folder);
      for (int i = 0; i < 4; ++i) writePng(folder / ("img" + std::to_string(i) + ".png"), 12, 12, 3, pattern(12, 3, c, i));
    }
  fs::create_directories(d / "train" / "class-a" / "notes");  // a sub-folder and a text file are ignored
  std::ofstream(d / "train" / "class-a" / "README.txt") << "not an image";
  const auto pair = loadImageFolder(d.string(), {});
  ASSERT_EQ(pair.train.size(), 12);
  ASSERT_EQ(pair.test.size(), 12);
  EXPECT_EQ(pair.train.numClasses, 3);
  EXPECT_EQ(pair.train.images.sizes(), (std::vector<std::int64_t>{12, 3, 12, 12}));
  // Sorted names: class-a (written as c = 2) is label 0; its first file img0.png is image 0.
  EXPECT_EQ(pair.train.labels[0].item<std::int64_t>(), 0);
  const auto want = pattern(12, 3, 2, 0);  // HWC bytes
  for (int ch = 0; ch < 3; ++ch)
    for (int y = 0; y < 12; y += 5)
      for (int x = 0; x < 12; x += 5)
        EXPECT_FLOAT_EQ(pair.train.images[0][ch][y][x].item<float>(), want[(y * 12 + x) * 3 + ch] / 255.0f);
}

TEST(OwnDataTest, ImageFolderConvertsChannelsResizesAndSplits) {
  const auto d = ternlab::testsupport::freshTestDir("owndata");
  for (int c = 0; c < 2; ++c) {
    fs::create_directories(d / std::to_string(c));
    for (int i = 0; i < 5; ++i) {
      const int w = 16 + 4 * i, h = 12 + 2 * i;  // every size different and not square
      writePng(d / std::to_string(c) / ("a" + std::to_string(i) + ".png"), w, h, 3, std::vector<std::uint8_t>(w * h * 3, 40 + 100 * c));
    }
    std::vector<std::uint8_t> jpg(20 * 20 * 3, 40 + 100 * c);
    ASSERT_NE(stbi_write_jpg((d / std::to_string(c) / "b.jpg").c_str(), 20, 20, 3, jpg.data(), 95), 0);
  }
  EXPECT_NE(errorOf<DataError>([&] { loadImageFolder(d.string(), {}); }).find("set dataset.image_size"), std::string::npos);
  OwnDataOptions o;
  o.imageSize = 10, o.channels = 1, o.testFraction = 0.25;
  const auto pair = loadImageFolder(d.string(), o);
  EXPECT_EQ(pair.train.size() + pair.test.size(), 12);
  EXPECT_EQ(pair.test.size(), 3);
  EXPECT_EQ(pair.train.images.sizes().slice(1).vec(), (std::vector<std::int64_t>{1, 10, 10}));
  // A flat colour stays flat through resizing and grey conversion (JPEG within a few levels).
  for (std::int64_t i = 0; i < pair.train.size(); ++i) {
    const auto want = (40.0 + 100.0 * pair.train.labels[i].item<double>()) / 255.0;
    EXPECT_NEAR(pair.train.images[i].mean().item<double>(), want, 3.0 / 255.0) << "image " << i;
  }
}

TEST(OwnDataTest, BadImageFoldersNameTheFileAndTheFault) {
  const auto d = ternlab::testsupport::freshTestDir("owndata");
  fs::create_directories(d / "only");
  writePng(d / "only" / "x.png", 8, 8, 1, std::vector<std::uint8_t>(64, 1));
  EXPECT_NE(errorOf<DataError>([&] { loadImageFolder(d.string(), {}); }).find("1 class folder(s)"), std::string::npos);
  fs::create_directories(d / "second");
  EXPECT_NE(errorOf<DataError>([&] { loadImageFolder(d.string(), {}); }).find((d / "second").string() + ": holds no .png"),
            std::string::npos);
  std::ofstream(d / "second" / "broken.png") << "\x89PNG but not really";
  const auto e = errorOf<DataError>([&] { loadImageFolder(d.string(), {}); });
  EXPECT_NE(e.find((d / "second" / "broken.png").string() + ": not a readable PNG or JPEG"), std::string::npos) << e;
  fs::remove(d / "second" / "broken.png");
  writePng(d / "second" / "y.png", 9, 9, 1, std::vector<std::uint8_t>(81, 1));
  EXPECT_NE(errorOf<DataError>([&] { loadImageFolder(d.string(), {}); }).find("is 9 x 9 but the first image is 8 x 8"),
            std::string::npos);
  // A test folder whose classes differ from the training folder's.
  const auto s = ternlab::testsupport::freshTestDir("owndata-split");
  for (const auto* c : {"a", "b"}) {
    fs::create_directories(s / "train" / c);
    writePng(s / "train" / c / "x.png", 8, 8, 1, std::vector<std::uint8_t>(64, 1));
  }
  fs::create_directories(s / "test" / "a");
  fs::create_directories(s / "test" / "z");
  EXPECT_NE(errorOf<DataError>([&] { loadImageFolder(s.string(), {}); }).find("its class folders differ"), std::string::npos);
}

TEST(OwnDataTest, LoadDatasetNormalisesOwnDataAndKeepsItsStatistics) {
  const auto d = ternlab::testsupport::freshTestDir("owndata");
  writeNpy(d / "x.npy", torch::tensor({0, 0, 255, 255, 0, 255, 0, 255}, torch::kUInt8).reshape({8, 1, 1, 1}).expand({8, 1, 8, 8}).contiguous());
  writeNpy(d / "y.npy", torch::tensor({0, 0, 1, 1, 0, 1, 0, 1}, torch::kInt64));
  OwnDataOptions o;
  o.testFraction = 0.25;
  const auto pair = loadDataset("npy", d.string(), 0, 0, o);
  // Train-split statistics: the split's images are 0 or 1, and the normalised split has mean 0, std 1.
  EXPECT_NEAR(pair.train.images.mean().item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(pair.train.images.std(false).item<double>(), 1.0, 1e-5);
  ASSERT_TRUE(pair.mean.defined());
  EXPECT_EQ(pair.mean.sizes(), (std::vector<std::int64_t>{1, 1, 1, 1}));
}
