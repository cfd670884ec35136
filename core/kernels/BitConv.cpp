#include "kernels/BitConv.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>

#include "kernels/Parallel.h"
#include "kernels/detail/EpilogueArgs.h"
#include "kernels/detail/GemmArgs.h"
#include "kernels/detail/IsaTable.h"

namespace ternlab::kernels {
namespace {

using ItemsFn = void (*)(const detail::TernaryGemmArgs&, std::size_t, std::size_t);
using EpiI32Fn = void (*)(const detail::EpilogueArgs&, const std::int32_t*, std::size_t, int, int);
using EpiF32Fn = void (*)(const detail::EpilogueArgs&, const float*, std::size_t, int, int);

// The per-ISA entry points of one path; Reference runs the portable code (the tests compare it with
// referenceBitConv, the definition).
struct IsaPath {
  ItemsFn items;
  EpiI32Fn epiI32;
  EpiF32Fn epiF32;
};

IsaPath pathFor(Isa isa) {
  if (static_cast<int>(isa) > static_cast<int>(availableIsas().back()))
    throw std::runtime_error(std::string("ISA not supported by this CPU: ") + isaName(isa));
  return {detail::kTernaryItems.at(isa), detail::kEpilogueI32.at(isa), detail::kEpilogueF32.at(isa)};
}

detail::EpilogueActArgs actArgs(const EpilogueAct& a) {
  return {static_cast<int>(a.kind), a.shiftIn, a.slope, a.shiftOut};
}

detail::EpilogueArgs epilogueArgs(const LayerEpilogue& e, int N, int outH, int outW, const std::int32_t* colAdd) {
  if (N > 64 * 64) throw std::invalid_argument("layer epilogue: more than 4096 output channels");
  detail::EpilogueArgs a;
  a.N = N;
  a.planes = e.planes;
  a.scale = e.scale;
  a.bias = e.bias;
  a.preBias = e.preBias;
  a.bnScale = e.bnScale;
  a.colAdd = colAdd;
  a.perImage = e.perImage;
  a.outH = outH, a.outW = outW;
  a.act1 = actArgs(e.act1);
  a.act2 = actArgs(e.act2);
  a.res = e.residual;
  a.resH = e.resH, a.resW = e.resW, a.resC = e.resC, a.resStride = e.resStride, a.resOffset = e.resOffset;
  a.outF = e.outFloat;
  if (e.outBits) {
    const BitMap& b = *e.outBits;
    if (b.channels != N || b.height != outH || b.width != outW)
      throw std::invalid_argument("layer epilogue: the output bit map does not match the layer's output");
    a.bitsM = const_cast<std::uint8_t*>(b.m.data());
    a.bitsS = const_cast<std::uint8_t*>(b.s.data());
    a.bitsImage = b.imageBytes(), a.bitsRow = b.rowBytes(), a.bitsPix = b.pixBytes, a.bitsPad = b.pad;
    a.thrNeg = e.next.neg, a.thrPos = e.next.pos;
  }
  if (e.integerCodes) {
    if (!e.outBits || e.outFloat || e.residual || e.integerCodes->posFrom.size() != static_cast<std::size_t>(N))
      throw std::invalid_argument("layer epilogue: integer codes need a codes-only epilogue of the same width");
    a.codeDir = e.integerCodes->dir.data();
    a.posFrom = e.integerCodes->posFrom.data();
    a.negTo = e.integerCodes->negTo.data();
  }
  return a;
}

// Per-thread scratch reused across calls: one block's accumulators.
struct BlockScratch {
  AlignedVec<std::int32_t> acc;
};

BlockScratch& scratch() {
  thread_local BlockScratch s;
  return s;
}

constexpr int kBlockRows = detail::kMBlock;

template <class AccT, class Fn>
void epilogueBlocks(const AccT* acc, int batch, int outH, int outW, int N, const LayerEpilogue& ep,
                    const GemmOptions& opts, Fn fn) {
  const detail::EpilogueArgs a = epilogueArgs(ep, N, outH, outW, nullptr);
  const int M = batch * outH * outW;
  const std::size_t ld = static_cast<std::size_t>(ep.planes) * N;
  const std::size_t blocks = (static_cast<std::size_t>(M) + kBlockRows - 1) / kBlockRows;
  parallelFor(blocks, opts.threads(), [&](std::size_t b0, std::size_t b1) {
    for (std::size_t blk = b0; blk < b1; ++blk) {
      const int r0 = static_cast<int>(blk) * kBlockRows, r1 = std::min(M, r0 + kBlockRows);
      fn(a, acc + static_cast<std::size_t>(r0) * ld, ld, r0, r1);
    }
  });
}

// Where output pixel rows find their kernel rows in a bordered bit map (bytes).
struct GatherGeometry {
  std::size_t rowBytes = 0, imageBytes = 0, rowStep = 0, pixStep = 0, origin = 0;
  int outH = 0, outW = 0;
};

// Byte offset of the first kernel row of output rows [r0, r1) (the GEMM reads word w of row r at
// rowBase[r] + wordOff[w]; the weights are zero in the bits past each kernel row).
void rowBases(const GatherGeometry& g, int r0, int r1, std::size_t* __restrict base) {
  const int hw = g.outH * g.outW;
  int b = r0 / hw, y = (r0 % hw) / g.outW, x = r0 % g.outW;
  for (int r = r0; r < r1; ++r) {
    *base++ = b * g.imageBytes + y * g.rowStep + x * g.pixStep + g.origin;
    if (++x == g.outW) {
      x = 0;
      if (++y == g.outH) y = 0, ++b;
    }
  }
}

}  // namespace

bool integerCodesFor(const LayerEpilogue& e, int N, std::int32_t accMin, std::int32_t accMax, IntegerCodes& out) {
  if (e.outFloat || e.residual || e.planes != 1 || e.perImage || !e.scale || !e.bias || e.act2.kind != ActKind::None ||
      accMin > accMax)
    return false;
  if (e.act1.kind == ActKind::Rprelu)
    for (int n = 0; n < N; ++n)
      if (!(e.act1.slope[n] >= 0)) return false;  // a negative slope folds the line: not monotone
  LayerEpilogue only = e;
  only.integerCodes = nullptr;
  only.outBits = nullptr;
  detail::EpilogueArgs a = epilogueArgs(only, N, 1, 1, nullptr);
  std::uint8_t sink[8];
  a.bitsM = a.bitsS = sink;  // codes are read back from the chunk's words, never stored
  a.thrNeg = e.next.neg, a.thrPos = e.next.pos;
  IntegerCodes r;
  r.dir.resize(N), r.posFrom.resize(N), r.negTo.resize(N);
  constexpr std::int32_t kNever = std::numeric_limits<std::int32_t>::max();
  for (int n = 0; n < N; ++n) {
    const float s = e.bnScale ? e.scale[n] * e.bnScale[n] : e.scale[n];  // only its sign is used
    if (!(s == s)) return false;  // NaN scale
    const std::int32_t dir = s < 0 ? -1 : 1;
    // t = dir·acc runs over [tLo, tHi]; code(t) is non-decreasing in t.
    const std::int32_t tLo = dir > 0 ? accMin : -accMax, tHi = dir > 0 ? accMax : -accMin;
    auto code = [&](std::int32_t t) { return detail::epilogueCodePortable(a, n, dir * t); };
    auto firstWhere = [&](auto pred) {  // smallest t in [tLo, tHi] with pred, or tHi + 1
      std::int64_t lo = tLo, hi = static_cast<std::int64_t>(tHi) + 1;
      while (lo < hi) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (pred(static_cast<std::int32_t>(mid)))
          hi = mid;
        else
          lo = mid + 1;
      }
      return lo;
    };
    const std::int64_t pos = firstWhere([&](std::int32_t t) { return code(t) == 1; });
    const std::int64_t notNeg = firstWhere([&](std::int32_t t) { return code(t) != -1; });
    r.dir[n] = dir;
    r.posFrom[n] = pos > tHi ? kNever : static_cast<std::int32_t>(pos);
    r.negTo[n] = static_cast<std::int32_t>(notNeg - 1);  // tLo − 1 when no sum gives −1
    // The bisection assumed monotone codes: check both ends.
    for (std::int32_t t : {tLo, tHi})
      if (code(t) != (t >= r.posFrom[n] ? 1 : (t <= r.negTo[n] ? -1 : 0))) return false;
  }
  out = std::move(r);
  return true;
}

BitConvWeights packBitConvWeights(const std::int8_t* codes, int planes, int outC, int inC, int kernel, int stride,
                                  int pad, bool halfRangeInput) {
  if (planes < 1 || outC < 1 || inC < 1 || kernel < 1 || stride < 1 || pad < 0)
    throw std::invalid_argument("packBitConvWeights: bad layer geometry");
  BitConvWeights w;
  w.outC = outC, w.planes = planes, w.inC = inC, w.kernel = kernel, w.stride = stride, w.pad = pad;
  w.pixBytes = bitMapPixBytes(inC);
  w.segWords = (kernel * w.pixBytes + 7) / 8;
  w.halfRangeInput = halfRangeInput;
  const int K = w.words() * 64, rows = planes * outC;
  std::vector<std::int8_t> laid(static_cast<std::size_t>(rows) * K, 0);
  for (int o = 0; o < rows; ++o)
    for (int c = 0; c < inC; ++c)
      for (int kh = 0; kh < kernel; ++kh)
        for (int kw = 0; kw < kernel; ++kw) {
          const std::int8_t v = codes[((static_cast<std::size_t>(o) * inC + c) * kernel + kh) * kernel + kw];
          const int k = kh * w.segWords * 64 + kw * w.pixBytes * 8 + c;
          laid[static_cast<std::size_t>(o) * K + k] = v;
        }
  w.panels = packTernaryPanels(laid.data(), rows, K);
  if (halfRangeInput) w.colAdd = w.panels.rowSum;
  return w;
}

void bitConv(const BitMap& in, const BitConvWeights& w, const LayerEpilogue& ep, std::int32_t* accOut,
             const GemmOptions& opts, BitConvTimes* times) {
  if (in.channels != w.inC || in.pixBytes != w.pixBytes)
    throw std::invalid_argument("bitConv: input map has " + std::to_string(in.channels) + " channels, the layer " +
                                std::to_string(w.inC));
  if (in.pad < w.pad) throw std::invalid_argument("bitConv: the input map's border is narrower than the layer's pad");
  if ((in.border == BitBorder::MinusOne) != w.halfRangeInput && w.pad > 0)
    throw std::invalid_argument("bitConv: the input map's border does not match the layer's code range");
  if (ep.planes != w.planes) throw std::invalid_argument("bitConv: epilogue and weights disagree on planes");
  const int oh = (in.height + 2 * w.pad - w.kernel) / w.stride + 1;
  const int ow = (in.width + 2 * w.pad - w.kernel) / w.stride + 1;
  if (oh <= 0 || ow <= 0) throw std::invalid_argument("bitConv: input smaller than the kernel");
  const IsaPath path = pathFor(opts.isa());
  const int rowsN = w.planes * w.outC;
  const detail::EpilogueArgs ea =
      epilogueArgs(ep, w.outC, oh, ow, w.halfRangeInput ? w.colAdd.data() : nullptr);
  const int M = in.batch * oh * ow;
  const int words = w.words();
  const int shift = in.pad - w.pad;
  GatherGeometry g;
  g.rowBytes = in.rowBytes(), g.imageBytes = in.imageBytes();
  g.rowStep = static_cast<std::size_t>(w.stride) * g.rowBytes;
  g.pixStep = static_cast<std::size_t>(w.stride) * in.pixBytes;
  g.origin = static_cast<std::size_t>(shift) * g.rowBytes + static_cast<std::size_t>(shift) * in.pixBytes;
  g.outH = oh, g.outW = ow;
  std::vector<std::uint32_t> wordOff(words);  // word kh·segWords + j of a row: kernel row kh, its 8j-th byte
  for (int kh = 0; kh < w.kernel; ++kh)
    for (int j = 0; j < w.segWords; ++j) wordOff[kh * w.segWords + j] = static_cast<std::uint32_t>(kh * g.rowBytes + 8 * j);
  const std::size_t blocks = (static_cast<std::size_t>(M) + kBlockRows - 1) / kBlockRows;
  parallelFor(blocks, opts.threads(), [&](std::size_t b0, std::size_t b1) {
    BlockScratch& sc = scratch();
    using Clock = std::chrono::steady_clock;
    double tg = 0, tm = 0, te = 0;
    Clock::time_point t0, t1, t2;
    std::size_t base[kBlockRows];
    const std::size_t accNeed = static_cast<std::size_t>(kBlockRows) * rowsN;
    if (sc.acc.size() < accNeed) sc.acc.resize(accNeed);
    for (std::size_t blk = b0; blk < b1; ++blk) {
      const int r0 = static_cast<int>(blk) * kBlockRows, r1 = std::min(M, r0 + kBlockRows);
      if (times) t0 = Clock::now();
      rowBases(g, r0, r1, base);
      if (times) t1 = Clock::now();
      std::int32_t* acc = accOut ? accOut + static_cast<std::size_t>(r0) * rowsN : sc.acc.data();
      detail::TernaryGemmArgs ga{nullptr, nullptr, 0, r1 - r0, w.panels.data.data(), rowsN, words, nullptr, acc,
                                 static_cast<std::size_t>(rowsN)};
      ga.gm = in.m.data(), ga.gs = in.s.data(), ga.rowBase = base, ga.wordOff = wordOff.data();
      path.items(ga, 0, detail::panelCount(rowsN));
      if (accOut && w.halfRangeInput)
        for (int i = 0; i < (r1 - r0); ++i)
          for (int n = 0; n < rowsN; ++n) acc[static_cast<std::size_t>(i) * rowsN + n] += w.colAdd[n];
      if (times) t2 = Clock::now();
      detail::EpilogueArgs a = ea;
      if (accOut) a.colAdd = nullptr;  // already added to the captured accumulators
      path.epiI32(a, acc, static_cast<std::size_t>(rowsN), r0, r1);
      if (times) {
        const auto t3 = Clock::now();
        tg += std::chrono::duration<double>(t1 - t0).count();
        tm += std::chrono::duration<double>(t2 - t1).count();
        te += std::chrono::duration<double>(t3 - t2).count();
      }
    }
    if (times) {
      static std::mutex mu;
      std::lock_guard<std::mutex> lock(mu);
      times->gather += tg, times->gemm += tm, times->epilogue += te;
    }
  });
}

void floatEpilogue(const float* acc, int batch, int outH, int outW, int N, const LayerEpilogue& ep,
                   const GemmOptions& opts) {
  const IsaPath path = pathFor(opts.isa());
  epilogueBlocks(acc, batch, outH, outW, N, ep, opts, path.epiF32);
}

void intEpilogue(const std::int32_t* acc, int batch, int outH, int outW, int N, const LayerEpilogue& ep,
                 const GemmOptions& opts) {
  const IsaPath path = pathFor(opts.isa());
  epilogueBlocks(acc, batch, outH, outW, N, ep, opts, path.epiI32);
}

std::vector<std::int32_t> referenceBitConv(const BitMap& in, const std::int8_t* codes, int rows, int inC, int kernel,
                                           int stride, int pad) {
  const int oh = (in.height + 2 * pad - kernel) / stride + 1, ow = (in.width + 2 * pad - kernel) / stride + 1;
  const int borderCode = in.border == BitBorder::MinusOne ? -1 : 0;
  std::vector<std::int32_t> out(static_cast<std::size_t>(in.batch) * oh * ow * rows, 0);
  for (int b = 0; b < in.batch; ++b)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int o = 0; o < rows; ++o) {
          std::int32_t sum = 0;
          for (int c = 0; c < inC; ++c)
            for (int kh = 0; kh < kernel; ++kh)
              for (int kw = 0; kw < kernel; ++kw) {
                const int iy = y * stride - pad + kh, ix = x * stride - pad + kw;
                const bool inside = iy >= 0 && iy < in.height && ix >= 0 && ix < in.width;
                const int code = inside ? in.at(b, c, iy, ix) : borderCode;
                sum += code * codes[((static_cast<std::size_t>(o) * inC + c) * kernel + kh) * kernel + kw];
              }
          out[((static_cast<std::size_t>(b) * oh + y) * ow + x) * rows + o] = sum;
        }
  return out;
}

}  // namespace ternlab::kernels
