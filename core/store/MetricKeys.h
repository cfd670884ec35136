#pragma once
// The names of the metrics a training run records, written once for the runner that logs them and the CLI,
// reports and views that read them back.
namespace ternlab::store::metric {

inline constexpr const char kTrainLoss[] = "train/loss";          // per logged step: the batch's loss
inline constexpr const char kTrainBatchAcc[] = "train/batch_acc";  // per logged step: the batch's accuracy (%)
inline constexpr const char kEpochTrainLoss[] = "epoch/train_loss";  // per epoch: mean training loss
inline constexpr const char kTrainAcc[] = "train/acc";            // per epoch: training accuracy (%)
inline constexpr const char kTestLoss[] = "test/loss";            // per epoch: test loss
inline constexpr const char kTestAcc[] = "test/acc";              // per epoch: top-1 test accuracy (%)
inline constexpr const char kTestTop5[] = "test/top5";            // per epoch: top-5 test accuracy (%)
inline constexpr const char kEpochSeconds[] = "epoch/seconds";    // per epoch: wall seconds
inline constexpr const char kTestPrefix[] = "test/";              // every per-epoch test metric starts with it
inline constexpr const char kLearningRate[] = "lr";               // per logged step: the optimizer's learning rate
inline constexpr const char kEpoch[] = "epoch";                   // per epoch: the epoch number
inline constexpr const char kDensityPrefix[] = "density/";        // + layer name, per logged step: non-zero fraction

}  // namespace ternlab::store::metric
