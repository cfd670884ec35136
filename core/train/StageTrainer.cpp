#include "train/StageTrainer.h"
#include "train/TeacherLogits.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "data/BatchIterator.h"
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

Evaluation evaluate(nn::TernaryNet& net, const data::Dataset& test, std::int64_t batchSize) {
  torch::NoGradGuard guard;
  net.eval();
  Evaluation e;
  if (test.size() == 0) return e;
  std::int64_t top1 = 0, top5 = 0;
  double lossSum = 0;
  for (std::int64_t b = 0; b < test.size(); b += batchSize) {
    const auto end = std::min(b + batchSize, test.size());
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
  const double n = static_cast<double>(test.size());
  e.top1 = 100.0 * top1 / n;
  e.top5 = 100.0 * top5 / n;
  e.loss = lossSum / n;
  return e;
}

StageResult trainStage(const config::ExperimentConfig& cfg, const data::DatasetPair& data, const ModelState* init,
                       const Teacher* teacher, std::int64_t runId, const StageSink& sink, const StopToken& stop,
                       const ResumePoint* resume) {
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
    teacherLogits = std::make_unique<TeacherLogits>(teacher->model, data.train.size(), teacher->cacheLogits && !aug.enabled);
  for (int epoch = firstEpoch; epoch <= cfg.epochs; ++epoch) {
    const auto e0 = Clock::now();
    data::BatchIterator it(data.train, cfg.batchSize, true, cfg.seed * 7919ULL + static_cast<std::uint64_t>(epoch), aug);
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
      const auto batch = it.batch(b);
      optimizer->zero_grad();
      const auto logits = net->forward(batch.images);
      auto loss = torch::nn::functional::cross_entropy(logits, batch.labels);
      if (teacher && cfg.distill.enabled()) {
        const auto tl = teacherLogits->forBatch(batch);
        const double lambda = cfg.distill.lambda;
        loss = distillationLoss(logits, tl, cfg.distill.temperature) * lambda + loss * (1.0 - lambda);
      }
      loss.backward();
      optimizer->step();
      ++step;
      const double bs = static_cast<double>(batch.labels.size(0));
      const double l = loss.item<double>();
      const double c = logits.argmax(1).eq(batch.labels).sum().item<double>();
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
    const auto ev = evaluate(*net, data.test);
    result.testAcc = ev.top1;
    result.testTop5 = ev.top5;
    result.testLoss = ev.loss;
    EpochUpdate u{runId, epoch, cfg.epochs, step, lossSum / std::max(1.0, seen), 100.0 * correct / std::max(1.0, seen),
                  ev.loss, ev.top1, ev.top5, lr, msSince(e0) / 1000.0, msSince(t0)};
    if (sink.epoch) sink.epoch(u);
    if (sink.checkpoint) sink.checkpoint(epoch, step, captureState(*net), saveOptimizer);
  }
  if (firstEpoch > cfg.epochs && !result.cancelled) {  // resumed after the last epoch: only evaluate
    const auto ev = evaluate(*net, data.test);
    result.testAcc = ev.top1;
    result.testTop5 = ev.top5;
    result.testLoss = ev.loss;
  }
  result.steps = step;
  result.finalState = captureState(*net);
  return result;
}

}  // namespace ternlab::train
