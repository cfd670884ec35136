#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "data/Dataset.h"

namespace ternlab::data {

// One mini-batch of images and labels.
struct Batch {
  at::Tensor images;
  at::Tensor labels;
  at::Tensor indices;  // int64: where each image sits in the dataset
};

// Options of the train-time augmentation (pad + random crop + horizontal flip).
struct Augmentation {
  bool enabled = false;
  int pad = 4;
  bool flip = true;
};

// Yields the batches of one epoch in a seeded random (or fixed) order; same seed, same batches.
class BatchIterator {
 public:
  BatchIterator(const Dataset& data, std::int64_t batchSize, bool shuffle, std::uint64_t seed,
                Augmentation augment = {});
  std::int64_t batches() const;
  Batch batch(std::int64_t index) const;

 private:
  const Dataset& data_;
  std::int64_t batchSize_;
  std::uint64_t seed_;
  Augmentation augment_;
  std::vector<std::int64_t> order_;
};

}  // namespace ternlab::data
