#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace ternlab::data {

// A labelled image set held in memory: images [N, C, H, W] float (normalised), labels [N] int64.
struct Dataset {
  std::string name;
  at::Tensor images;
  at::Tensor labels;
  int numClasses = 10;
  std::int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

// Train and test split of one dataset, normalised with the train split's per-channel statistics.
struct DatasetPair {
  Dataset train;
  Dataset test;
  at::Tensor mean, std;  // [1, C, 1, 1] float: the train split's statistics that normalised both splits
};

// How a user's own data ("npy", "image-folder") is split and shaped; see data/OwnData.h.
struct OwnDataOptions {
  double testFraction = 0;  // no test files: this share of the images (a fixed-seed draw) is the test split
  int imageSize = 0;        // image-folder: resize to imageSize x imageSize (0: all images one square size)
  int channels = 0;         // image-folder: 1 or 3 (0: those of the first image)
};

// Loads "fashion-mnist", "mnist" (IDX, raw or gzip), "cifar10" (binary batches), "npy" or "image-folder"
// from dir. trainLimit/testLimit > 0 keep only the first N images of each split.
DatasetPair loadDataset(const std::string& name, const std::string& dir, std::int64_t trainLimit = 0,
                        std::int64_t testLimit = 0, const OwnDataOptions& own = OwnDataOptions());

// The directory a dataset name is found in when the experiment file gives none.
std::string defaultDatasetPath(const std::string& name);

// Reads one MNIST-style split (images + labels IDX files) as uint8 images and labels.
Dataset readMnistSplit(const std::string& imagesPath, const std::string& labelsPath, const std::string& name);

// Reads CIFAR-10 binary batch files (each record: 1 label byte + 3072 pixel bytes).
Dataset readCifar10Batches(const std::vector<std::string>& paths, const std::string& name);

}  // namespace ternlab::data
