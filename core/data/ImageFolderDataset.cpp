// The "image-folder" dataset: one sub-folder of PNG / JPEG files per class, decoded by Debian's stb_image.
#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "data/DataError.h"
#include "data/OwnData.h"
#include "io/RegularFile.h"

namespace ternlab::data {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxImageFileBytes = std::size_t{64} << 20;
constexpr int kMaxSide = 8192;
constexpr std::size_t kMaxImages = 2000000;

bool isImage(const fs::path& p) {
  auto ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

std::vector<std::string> classFolders(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory()) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Decodes images one by one into a common shape fixed by the options or by the first image.
class FolderReader {
 public:
  // side / channels 0: those of the first image; resize: other sizes are resized to side x side.
  FolderReader(int side, int channels, bool resize) : side_(side), channels_(channels), resize_(resize) {}
  int side() const { return side_; }
  int channels() const { return channels_; }

  Dataset read(const fs::path& dir, const std::vector<std::string>& classes) {
    std::vector<std::int64_t> labels;
    for (std::size_t k = 0; k < classes.size(); ++k) {
      const fs::path folder = dir / classes[k];
      if (!fs::is_directory(folder)) throw DataError(folder.string(), "class folder not found (the training split has it)");
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(folder))
        if (e.is_regular_file() && isImage(e.path())) files.push_back(e.path());
      if (files.empty()) throw DataError(folder.string(), "holds no .png, .jpg or .jpeg image");
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        decode(f.string());
        labels.push_back(static_cast<std::int64_t>(k));
        if (labels.size() > kMaxImages) throw DataError(dir.string(), "more than 2,000,000 images");
      }
    }
    Dataset d;
    d.name = "image-folder";
    d.numClasses = static_cast<int>(classes.size());
    const auto n = static_cast<std::int64_t>(labels.size());
    // HWC bytes per image -> N x C x H x W floats in [0, 1].
    d.images = torch::from_blob(pixels_.data(), {n, side_, side_, channels_}, torch::kUInt8)
                   .permute({0, 3, 1, 2})
                   .to(torch::kFloat32)
                   .div_(255.0)
                   .contiguous();
    d.labels = torch::tensor(labels, torch::kInt64);
    pixels_.clear();
    return d;
  }

 private:
  void decode(const std::string& path) {
    const auto bytes = io::readRegularFile(path, kMaxImageFileBytes, "an image file (64 MiB)");
    const auto* buf = reinterpret_cast<const stbi_uc*>(bytes.data());
    const int len = static_cast<int>(bytes.size());
    int w = 0, h = 0, comp = 0;
    if (!stbi_info_from_memory(buf, len, &w, &h, &comp))
      throw DataError(path, std::string("not a readable PNG or JPEG image (") + stbi_failure_reason() + ")");
    if (w > kMaxSide || h > kMaxSide)
      throw DataError(path, std::to_string(w) + " x " + std::to_string(h) + " pixels is over the 8192 x 8192 limit");
    if (channels_ == 0) channels_ = comp >= 3 ? 3 : 1;
    if (side_ == 0) {
      if (w != h)
        throw DataError(path, "is " + std::to_string(w) + " x " + std::to_string(h) +
                                  "; the model zoo takes square images: set dataset.image_size to resize them");
      side_ = w;
    }
    if (side_ < 8) throw DataError(path, "images of " + std::to_string(side_) + " x " + std::to_string(side_) +
                                             " pixels are below the 8 x 8 the model zoo takes");
    std::unique_ptr<stbi_uc, void (*)(void*)> img(stbi_load_from_memory(buf, len, &w, &h, &comp, channels_),
                                                   stbi_image_free);
    if (!img) throw DataError(path, std::string("cannot decode (") + stbi_failure_reason() + ")");
    const std::size_t per = static_cast<std::size_t>(side_) * side_ * channels_;
    const std::size_t at = pixels_.size();
    pixels_.resize(at + per);
    if (w == side_ && h == side_) {
      std::copy(img.get(), img.get() + per, pixels_.begin() + static_cast<std::ptrdiff_t>(at));
    } else if (resize_) {
      if (!stbir_resize_uint8(img.get(), w, h, 0, pixels_.data() + at, side_, side_, 0, channels_))
        throw DataError(path, "could not be resized");
    } else {
      throw DataError(path, "is " + std::to_string(w) + " x " + std::to_string(h) + " but the first image is " +
                                std::to_string(side_) + " x " + std::to_string(side_) +
                                ": set dataset.image_size to resize every image");
    }
  }
  int side_, channels_;
  bool resize_;
  std::vector<std::uint8_t> pixels_;
};

}  // namespace

DatasetPair loadImageFolder(const std::string& dir, const OwnDataOptions& o) {
  const fs::path root(dir);
  const bool split = fs::is_directory(root / "train");
  const fs::path trainDir = split ? root / "train" : root;
  const auto classes = classFolders(trainDir);
  if (classes.size() < 2)
    throw DataError(trainDir.string(), "holds " + std::to_string(classes.size()) +
                                           " class folder(s); an image-folder dataset needs one folder per class, "
                                           "at least two");
  FolderReader reader(o.imageSize, o.channels, o.imageSize > 0);
  DatasetPair pair;
  pair.train = reader.read(trainDir, classes);
  if (split && fs::is_directory(root / "test")) {
    const auto testClasses = classFolders(root / "test");
    if (testClasses != classes)
      throw DataError((root / "test").string(), "its class folders differ from those of " + trainDir.string());
    FolderReader testReader(reader.side(), reader.channels(), o.imageSize > 0);  // the training images' shape
    pair.test = testReader.read(root / "test", classes);
  } else {
    pair = splitByFraction(pair.train, o.testFraction, trainDir.string());
  }
  return pair;
}

}  // namespace ternlab::data
