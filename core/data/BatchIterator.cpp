#include "data/BatchIterator.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace ternlab::data {

BatchIterator::BatchIterator(const Dataset& data, std::int64_t batchSize, bool shuffle, std::uint64_t seed,
                             Augmentation augment)
    : data_(data), batchSize_(batchSize), seed_(seed), augment_(augment), order_(static_cast<std::size_t>(data.size())) {
  std::iota(order_.begin(), order_.end(), 0);
  if (shuffle) {
    std::mt19937_64 rng(seed);
    std::shuffle(order_.begin(), order_.end(), rng);
  }
}

std::int64_t BatchIterator::batches() const { return (data_.size() + batchSize_ - 1) / batchSize_; }

Batch BatchIterator::batch(std::int64_t index) const {
  const auto begin = index * batchSize_;
  const auto end = std::min<std::int64_t>(begin + batchSize_, data_.size());
  auto idx = torch::from_blob(const_cast<std::int64_t*>(order_.data() + begin), {end - begin}, torch::kInt64);
  Batch b{data_.images.index_select(0, idx), data_.labels.index_select(0, idx), idx.clone()};
  if (augment_.enabled) {
    // Pad-and-crop plus flip, drawn from a generator keyed on (seed, batch) so epochs replay exactly.
    std::mt19937_64 rng(seed_ * 1000003ULL + static_cast<std::uint64_t>(index));
    const auto h = b.images.size(2), w = b.images.size(3);
    const int p = augment_.pad;
    auto padded = torch::constant_pad_nd(b.images, {p, p, p, p}, 0.0);
    std::uniform_int_distribution<int> shift(0, 2 * p);
    std::bernoulli_distribution coin(0.5);
    for (std::int64_t i = 0; i < b.images.size(0); ++i) {
      const int dy = shift(rng), dx = shift(rng);
      auto crop = padded[i].slice(1, dy, dy + h).slice(2, dx, dx + w);
      if (augment_.flip && coin(rng)) crop = crop.flip({2});
      b.images[i].copy_(crop);
    }
  }
  return b;
}

}  // namespace ternlab::data
