#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>

#include "data/BatchIterator.h"
#include "nn/TernaryNet.h"

namespace ternlab::train {

// A distillation teacher's logits per training batch. Without augmentation an image's logits never change, so the
// first epoch records them as it computes them and the later epochs read them back: one teacher forward per image
// and stage instead of per image and epoch. A cached value differs from a fresh forward only by the rounding of a
// different batch composition.
class TeacherLogits {
 public:
  TeacherLogits(std::shared_ptr<nn::TernaryNet> teacher, std::int64_t trainImages, bool cache);
  at::Tensor forBatch(const data::Batch& batch);
  // Call after an epoch that saw every image: from then on, logits come from the cache.
  void epochDone();
  bool cached() const { return filled_; }

 private:
  std::shared_ptr<nn::TernaryNet> teacher_;
  std::int64_t images_;
  bool cache_;
  bool filled_ = false;
  at::Tensor logits_;
};

}  // namespace ternlab::train
