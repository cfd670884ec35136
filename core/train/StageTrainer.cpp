#include "train/StageTrainer.h"
#include "train/TeacherLogits.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "data/BatchIterator.h"
#include "nn/SyncBatchNorm.h"
#include "train/Distributed.h"
#include "train/LrSchedule.h"

namespace ternlab::train {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Splits parameters into decayed weights and (optionally undecayed) quantizer state.
struct ParamGroups {
  std::vector<at::Tensor> weights;
  std::vector<at::Tensor> quant;
};

ParamGroups splitParameters(nn::TernaryNet& net) {
  ParamGroups g;
  for (const auto& p : net.named_parameters(true)) {
    const auto& name = p.key();
    const bool isQuant = name.find(".wq.") != std::string::npos || name.find(".aq.") != std::string::npos;
    (isQuant ? g.quant : g.weights).push_back(p.value());
  }
  return g;
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const config::OptimizerSpec& o, nn::TernaryNet& net) {
  auto groups = splitParameters(net);
  const double quantDecay = o.decayQuantParams ? o.weightDecay : 0.0;
  if (o.type == "adam") {
    std::vector<torch::optim::OptimizerParamGroup> pg;
    pg.emplace_back(groups.weights, std::make_unique<torch::optim::AdamOptions>(
                                        torch::optim::AdamOptions(o.lr).weight_decay(o.weightDecay)));
    if (!groups.quant.empty())
      pg.emplace_back(groups.quant, std::make_unique<torch::optim::AdamOptions>(
                                        torch::optim::AdamOptions(o.lr).weight_decay(quantDecay)));
    return std::make_unique<torch::optim::Adam>(pg, torch::optim::AdamOptions(o.lr));
  }
  auto opts = [&](double wd) {
    return std::make_unique<torch::optim::SGDOptions>(
        torch::optim::SGDOptions(o.lr).momentum(o.momentum).nesterov(o.nesterov).weight_decay(wd));
  };
  std::vector<torch::optim::OptimizerParamGroup> pg;
  pg.emplace_back(groups.weights, opts(o.weightDecay));
  if (!groups.quant.empty()) pg.emplace_back(groups.quant, opts(quantDecay));
  return std::make_unique<torch::optim::SGD>(pg, torch::optim::SGDOptions(o.lr));
}

void setLr(torch::optim::Optimizer& opt, double lr) {
  for (auto& g : opt.param_groups()) g.options().set_lr(lr);
}

// Knowledge distillation loss (Hinton et al.): T²·KL(softmax(t/T) ‖ softmax(s/T)).
at::Tensor distillationLoss(const at::Tensor& student, const at::Tensor& teacher, double temperature) {
  const auto logP = torch::log_softmax(student / temperature, 1);
  const auto q = torch::softmax(teacher / temperature, 1);
  return torch::kl_div(logP, q, at::Reduction::Mean).mul(temperature * temperature * student.size(1));
}

// This rank's rows [lo, hi) of a global batch of n images: the ranks' shares are contiguous and differ by at
// most one image, so together they are the batch a single process would train on.
std::pair<std::int64_t, std::int64_t> shareOf(std::int64_t n, const DataParallel* parallel) {
  if (!parallel) return {0, n};
  const std::int64_t w = parallel->worldSize(), r = parallel->rank();
  return {r * n / w, (r + 1) * n / w};
}

data::Batch sliceBatch(const data::Batch& b, std::int64_t lo, std::int64_t hi) {
  return {b.images.slice(0, lo, hi), b.labels.slice(0, lo, hi), b.indices.slice(0, lo, hi)};
}

std::vector<at::Tensor> stateTensors(nn::TernaryNet& net) {
  std::vector<at::Tensor> all;
  for (const auto& p : net.parameters(true)) all.push_back(p);
  for (const auto& b : net.buffers(true)) all.push_back(b);
  return all;
}

std::vector<at::Tensor> bufferTensors(nn::TernaryNet& net) {
  std::vector<at::Tensor> all;
  for (const auto& b : net.buffers(true)) all.push_back(b);
  return all;
}

// sync_bn: the zoo's BatchNorm layers sum their batch statistics over the ranks through the run's group.
class RankSums : public nn::BatchStatsReducer {
 public:
  explicit RankSums(DataParallel& group) : group_(group) {}
  void sumInPlace(at::Tensor& t) override { group_.sumInPlace(t); }

 private:
  DataParallel& group_;
};

}  // namespace

std::shared_ptr<nn::TernaryNet> buildModel(const config::ExperimentConfig& cfg, const data::Dataset& shapeOf) {
  nn::InputShape in;
  in.channels = shapeOf.images.size(1);
  in.size = shapeOf.images.size(2);
  in.classes = shapeOf.numClasses;
  auto net = nn::makeModel(cfg.model, in);
  nn::applyQuantPolicy(*net, cfg.quant);
  return net;
}

std::vector<store::LayerStatRow> collectLayerStats(const nn::TernaryNet& net, std::int64_t step, int epoch) {
  std::vector<store::LayerStatRow> rows;
  for (const auto* layer : net.quantLayers()) {
    auto add = [&](const quant::TensorQuantizer* q, const char* tensor) {
      if (!q) return;
      for (const auto& b : q->lastStats()) {
        store::LayerStatRow r;
        r.step = step;
        r.epoch = epoch;
        r.layer = layer->layerName();
        r.tensor = tensor;
        r.branch = b.branch;
        r.numel = b.numel;
        r.fracNeg = b.fracNeg;
        r.fracZero = b.fracZero;
        r.fracPos = b.fracPos;
        r.entropy = b.entropy;
        r.thresholds = b.thresholds;
        r.scales = b.scales;
        if (std::isfinite(b.gamma)) r.gamma = b.gamma;
        rows.push_back(std::move(r));
      }
    };
    add(layer->weightQuantizer().get(), "weight");
    add(layer->inputQuantizer().get(), "activation");
  }
  return rows;
}

Evaluation evaluate(nn::TernaryNet& net, const data::Dataset& test, std::int64_t batchSize, DataParallel* parallel) {
  torch::NoGradGuard guard;
  net.eval();
  Evaluation e;
  if (test.size() == 0) return e;
  // Every rank holds the same model once the running statistics are averaged; each evaluates its share.
  if (parallel) parallel->averageTensors(bufferTensors(net));
  const auto [first, last] = shareOf(test.size(), parallel);
  std::int64_t top1 = 0, top5 = 0;
  double lossSum = 0;
  for (std::int64_t b = first; b < last; b += batchSize) {
    const auto end = std::min(b + batchSize, last);
    const auto x = test.images.slice(0, b, end);
    const auto y = test.labels.slice(0, b, end);
    const auto logits = net.forward(x);
    lossSum += torch::cross_entropy_loss(logits, y, {}, at::Reduction::Sum).item<double>();
    const auto k = std::min<std::int64_t>(5, logits.size(1));
    const auto topk = std::get<1>(logits.topk(k, 1));
    const auto hits = topk.eq(y.unsqueeze(1));
    top1 += hits.select(1, 0).sum().item<std::int64_t>();
    top5 += hits.any(1).sum().item<std::int64_t>();
  }
  if (parallel) {
    std::vector<double> counts{static_cast<double>(top1), static_cast<double>(top5), lossSum};
    parallel->sum(counts);
    top1 = static_cast<std::int64_t>(counts[0]);
    top5 = static_cast<std::int64_t>(counts[1]);
    lossSum = counts[2];
  }
  const double n = static_cast<double>(test.size());
  e.top1 = 100.0 * top1 / n;
  e.top5 = 100.0 * top5 / n;
  e.loss = lossSum / n;
  return e;
}

StageResult trainStage(const config::ExperimentConfig& cfg, const data::DatasetPair& data, const ModelState* init,
                       const Teacher* teacher, std::int64_t runId, const StageSink& sink, const StopToken& stop,
                       const ResumePoint* resume, DataParallel* parallel) {
  const int threads = cfg.threads > 0 ? cfg.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  torch::manual_seed(cfg.seed);

  auto net = buildModel(cfg, data.train);
  if (init) loadState(*net, *init);
  auto optimizer = makeOptimizer(cfg.optimizer, *net);
  int firstEpoch = 1;
  std::int64_t step = 0;
  if (resume) {
    loadState(*net, resume->model);
    if (!resume->optimizerPath.empty()) {
      torch::serialize::InputArchive ar;
      ar.load_from(resume->optimizerPath);
      optimizer->load(ar);
    }
    firstEpoch = resume->epochsDone + 1;
    step = resume->step;
  }
  // Rank 0's weights, buffers and learned quantizer parameters on every rank (they are built from the same seed;
  // this makes it so whatever the start).
  if (parallel) parallel->broadcastFromRankZero(stateTensors(*net));
  const std::int64_t world = parallel ? parallel->worldSize() : 1;
  std::optional<RankSums> rankSums;
  std::optional<nn::ScopedBatchStatsSync> syncBn;
  if (parallel && cfg.syncBn) syncBn.emplace(&rankSums.emplace(*parallel));
  const OptimizerSaver saveOptimizer = [&optimizer](const std::string& path) {
    torch::serialize::OutputArchive ar;
    optimizer->save(ar);
    saveArchiveFile(ar, path);
  };

  data::Augmentation aug;
  aug.enabled = cfg.data.augment;
  aug.flip = data.train.images.size(2) == 32;  // flips are wrong for digits and fine for CIFAR
  const auto t0 = Clock::now();
  StageResult result;
  std::unique_ptr<TeacherLogits> teacherLogits;
  if (teacher && cfg.distill.enabled())
    // A rank sees other images every epoch, so its first epoch cannot fill the cache: teachers run per rank.
    teacherLogits = std::make_unique<TeacherLogits>(teacher->model, data.train.size(),
                                                    teacher->cacheLogits && !aug.enabled && !parallel);
  for (int epoch = firstEpoch; epoch <= cfg.epochs; ++epoch) {
    const auto e0 = Clock::now();
    // One permutation for every rank (same seed); a global batch is world × batch_size images.
    data::BatchIterator it(data.train, cfg.batchSize * world, true, cfg.seed * 7919ULL + static_cast<std::uint64_t>(epoch),
                           aug);
    const auto nb = it.batches();
    net->train();
    double lossSum = 0, seen = 0, correct = 0, winLoss = 0, winCorrect = 0, winSeen = 0;
    double lr = cfg.optimizer.lr;
    for (std::int64_t b = 0; b < nb; ++b) {
      if (stop.stopRequested()) {
        result.cancelled = true;
        break;
      }
      lr = learningRate(cfg.optimizer, cfg.schedule, cfg.epochs, (epoch - 1) + static_cast<double>(b) / nb);
      setLr(*optimizer, lr);
      const auto global = it.batch(b);
      const auto globalSize = global.labels.size(0);
      if (globalSize < world) continue;  // a last batch too small to give every rank an image (same on all ranks)
      const auto [lo, hi] = shareOf(globalSize, parallel);
      const auto batch = parallel ? sliceBatch(global, lo, hi) : global;
      optimizer->zero_grad();
      const auto logits = net->forward(batch.images);
      auto loss = torch::nn::functional::cross_entropy(logits, batch.labels);
      if (teacher && cfg.distill.enabled()) {
        const auto tl = teacherLogits->forBatch(batch);
        const double lambda = cfg.distill.lambda;
        loss = distillationLoss(logits, tl, cfg.distill.temperature) * lambda + loss * (1.0 - lambda);
      }
      loss.backward();
      double bs = static_cast<double>(batch.labels.size(0));
      double l = loss.item<double>();
      double c = logits.argmax(1).eq(batch.labels).sum().item<double>();
      if (parallel) {  // the global batch's mean loss and hits, in the gradients' collective
        std::vector<double> sums{l * bs, c, bs};
        parallel->averageGradients(net->parameters(true), sums);
        bs = sums[2];
        l = sums[0] / bs;
        c = sums[1];
      }
      optimizer->step();
      ++step;
      // Quantizers that initialise from their first batch (LSQ's step, asym's thresholds, FATNN's widths) did so on
      // each rank's own images: rank 0's values, once, keep the ranks one model.
      if (parallel && b == 0 && epoch == firstEpoch) parallel->broadcastFromRankZero(stateTensors(*net));
      lossSum += l * bs;
      correct += c;
      seen += bs;
      winLoss += l * bs;
      winCorrect += c;
      winSeen += bs;
      if (step % cfg.logInterval == 0 || b + 1 == nb) {
        if (sink.step)
          sink.step({runId, step, epoch, b + 1, nb, winLoss / winSeen, 100.0 * winCorrect / winSeen, lr, msSince(t0)});
        if (sink.layers) sink.layers(step, epoch, collectLayerStats(*net, step, epoch));
        winLoss = winCorrect = winSeen = 0;
      }
    }
    if (result.cancelled) break;
    if (teacherLogits) teacherLogits->epochDone();  // every image was seen once
    const auto ev = evaluate(*net, data.test, 1000, parallel);
    result.testAcc = ev.top1;
    result.testTop5 = ev.top5;
    result.testLoss = ev.loss;
    EpochUpdate u{runId, epoch, cfg.epochs, step, lossSum / std::max(1.0, seen), 100.0 * correct / std::max(1.0, seen),
                  ev.loss, ev.top1, ev.top5, lr, msSince(e0) / 1000.0, msSince(t0)};
    if (sink.epoch) sink.epoch(u);
    if (sink.checkpoint) sink.checkpoint(epoch, step, captureState(*net), saveOptimizer);
  }
  if (firstEpoch > cfg.epochs && !result.cancelled) {  // resumed after the last epoch: only evaluate
    const auto ev = evaluate(*net, data.test, 1000, parallel);
    result.testAcc = ev.top1;
    result.testTop5 = ev.top5;
    result.testLoss = ev.loss;
  }
  result.steps = step;
  result.finalState = captureState(*net);
  return result;
}

}  // namespace ternlab::train
