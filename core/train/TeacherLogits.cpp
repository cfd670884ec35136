#include "train/TeacherLogits.h"

#include <torch/torch.h>

namespace ternlab::train {

TeacherLogits::TeacherLogits(std::shared_ptr<nn::TernaryNet> teacher, std::int64_t trainImages, bool cache)
    : teacher_(std::move(teacher)), images_(trainImages), cache_(cache) {}

at::Tensor TeacherLogits::forBatch(const data::Batch& batch) {
  if (filled_) return logits_.index_select(0, batch.indices);
  torch::NoGradGuard guard;
  auto out = teacher_->forward(batch.images);
  if (cache_) {
    if (!logits_.defined()) logits_ = torch::zeros({images_, out.size(1)}, out.options());
    logits_.index_copy_(0, batch.indices, out);
  }
  return out;
}

void TeacherLogits::epochDone() { filled_ = cache_ && logits_.defined(); }

}  // namespace ternlab::train
