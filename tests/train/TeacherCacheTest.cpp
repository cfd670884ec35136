// Distillation without augmentation: the teacher's logits recorded in the first epoch are read back in the later
// ones, equal to a fresh teacher forward of the same batch up to the rounding of another batch composition.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "config/ExperimentConfig.h"
#include "data/BatchIterator.h"
#include "data/Dataset.h"
#include "train/StageTrainer.h"
#include "train/TeacherLogits.h"

using namespace ternlab;

TEST(TeacherCacheIntegration, LaterEpochsReadTheFirstEpochsLogits) {
  const auto data = data::loadDataset("fashion-mnist", data::defaultDatasetPath("fashion-mnist"), 640, 10);
  const auto cfg = config::parseExperimentText(R"({"model": {"arch": "lenet5"}})");
  torch::manual_seed(5);
  auto teacher = train::buildModel(cfg, data.train);
  teacher->eval();
  train::TeacherLogits cached(teacher, data.train.size(), true), fresh(teacher, data.train.size(), false);
  for (int epoch = 1; epoch <= 3; ++epoch) {
    data::BatchIterator it(data.train, 64, true, 1000 + epoch);
    for (std::int64_t b = 0; b < it.batches(); ++b) {
      const auto batch = it.batch(b);
      const auto a = cached.forBatch(batch), f = fresh.forBatch(batch);
      if (epoch == 1)
        ASSERT_TRUE(torch::equal(a, f));  // computed, not read
      else
        ASSERT_TRUE(torch::allclose(a, f, 1e-5, 1e-5)) << "epoch " << epoch << " batch " << b;
    }
    EXPECT_EQ(cached.cached(), epoch > 1);
    cached.epochDone();
    fresh.epochDone();
    EXPECT_TRUE(cached.cached());
    EXPECT_FALSE(fresh.cached());
  }
}
