#include "engine/TnnFile.h"

#include <cstring>
#include <fstream>
#include <iterator>

#include "config/BoundedJson.h"
#include "engine/Checksum.h"
#include "io/Deflate.h"
#include "io/RegularFile.h"
#include "kernels/Base3.h"

namespace ternlab::engine {

namespace {

constexpr char kMagic[8] = {'T', 'E', 'R', 'N', 'L', 'A', 'B', '\x1a'};

template <typename T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

void putFloats(std::string& out, const std::vector<float>& v) {
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

nlohmann::json opJson(const TnnOp& o) {
  nlohmann::json j = {{"op", opKindName(o.op)}};
  if (o.op == OpKind::Conv || o.op == OpKind::ShortcutConv) j["layer"] = o.layer;
  if (o.op == OpKind::Conv || o.op == OpKind::Act) {
    j["act"] = actKindName(o.act);
    if (o.act == ActKind::Rprelu) j["act_index"] = o.actIndex;
  }
  if (o.op == OpKind::MaxPool) j["k"] = o.k;
  if (o.op == OpKind::AddShortcutA) j["stride"] = o.stride, j["pad_lo"] = o.padLo, j["pad_hi"] = o.padHi;
  return j;
}

// Version 1 wrote conv ops with a "relu" flag and a separate "relu" op; both read as activations.
TnnOp opFrom(const nlohmann::json& j, std::uint32_t version) {
  TnnOp o;
  const auto name = j.at("op").get<std::string>();
  if (version == 1 && name == "relu") {
    o.op = OpKind::Act;
    o.act = ActKind::Relu;
    return o;
  }
  o.op = parseOpKind(name);
  o.layer = j.value("layer", -1);
  if (version == 1)
    o.act = j.value("relu", false) ? ActKind::Relu : ActKind::None;
  else
    o.act = parseActKind(j.value("act", std::string("none")));
  o.actIndex = j.value("act_index", -1);
  o.k = j.value("k", 2);
  o.stride = j.value("stride", 1);
  o.padLo = j.value("pad_lo", 0);
  o.padHi = j.value("pad_hi", 0);
  return o;
}

// Bounds-checked reader over the file bytes; every fault names the file.
struct Reader {
  const std::string& bytes;
  const std::string& path;
  std::size_t pos = 0;
  void need(std::size_t n, const char* what) const {
    if (n > bytes.size() || pos > bytes.size() - n)
      throw TnnError(path + ": truncated .tnn file (" + what + " needs " + std::to_string(n) + " bytes at offset " +
                     std::to_string(pos) + ", file has " + std::to_string(bytes.size()) + ")");
  }
  template <typename T>
  T get(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, bytes.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
};

// Two weight planes that are one ternary tensor split by sign (TTQ: [c > 0] with W_p, −[c < 0] with W_n):
// stored as that one tensor, so TTQ costs no more bytes than a one-scale scheme.
bool signSplitPlanes(const TnnLayer& l) {
  if (l.planes != 2) return false;
  const std::size_t n = l.weightCount();
  for (std::size_t i = 0; i < n; ++i) {
    const int a = l.codes[i], b = l.codes[n + i];
    if (a < 0 || b > 0 || (a != 0 && b != 0)) return false;
  }
  return true;
}

}  // namespace

std::size_t writeTnn(const TnnModel& model, const std::string& path) {
  std::string payload;
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : model.layers) {
    nlohmann::json j = {{"name", l.name},       {"kind", nn::layerKindName(l.kind)},     {"mode", layerModeName(l.mode)},
                        {"in", l.inC},          {"out", l.outC},      {"kernel", l.kernel},
                        {"stride", l.stride},   {"pad", l.pad},       {"thr_neg", l.thrNeg},
                        {"thr_pos", l.thrPos},  {"alpha_w", l.weightScale}, {"alpha_a", l.actScale},
                        {"planes", l.planes}};
    if (l.scale.size() != static_cast<std::size_t>(l.outC) * l.planes || l.bias.size() != static_cast<std::size_t>(l.outC))
      throw std::invalid_argument("layer " + l.name + ": scale/bias must have one value per output channel");
    j["offset"] = payload.size();
    if (l.ternary()) {
      if (l.codes.size() != l.weightCount() * l.planes) throw std::invalid_argument("layer " + l.name + ": wrong code count");
      if (signSplitPlanes(l)) {
        const std::size_t n = l.weightCount();
        std::vector<std::int8_t> joined(n);
        for (std::size_t i = 0; i < n; ++i) joined[i] = static_cast<std::int8_t>(l.codes[i] + l.codes[n + i]);
        const auto b3 = kernels::encodeBase3(joined.data(), n);
        payload.append(reinterpret_cast<const char*>(b3.data()), b3.size());
        j["weights"] = "base3-sign-split";
      } else {
        const auto b3 = kernels::encodeBase3(l.codes.data(), l.codes.size());
        payload.append(reinterpret_cast<const char*>(b3.data()), b3.size());
        j["weights"] = "base3";
      }
    } else {
      if (l.weights.size() != l.weightCount()) throw std::invalid_argument("layer " + l.name + ": wrong weight count");
      putFloats(payload, l.weights);
      j["weights"] = "f32";
    }
    putFloats(payload, l.scale);
    putFloats(payload, l.bias);
    // Optional per-channel arrays after the bias, in this order (older files have neither).
    if (!l.preBias.empty()) j["pre_bias"] = true, putFloats(payload, l.preBias);
    if (!l.bnScale.empty()) j["bn_scale"] = true, putFloats(payload, l.bnScale);
    j["bytes"] = payload.size() - j["offset"].get<std::size_t>();
    layers.push_back(j);
  }
  nlohmann::json program = nlohmann::json::array();
  for (const auto& o : model.program) program.push_back(opJson(o));
  nlohmann::json rprelu = nlohmann::json::array();  // parameters in the payload: γ, β, ζ per channel
  for (const auto& r : model.rprelu) {
    if (r.slope.size() != r.shiftIn.size() || r.shiftOut.size() != r.shiftIn.size())
      throw std::invalid_argument("RPReLU " + r.name + ": γ, β and ζ must have one value per channel");
    rprelu.push_back({{"name", r.name}, {"channels", r.shiftIn.size()}, {"offset", payload.size()}});
    putFloats(payload, r.shiftIn);
    putFloats(payload, r.slope);
    putFloats(payload, r.shiftOut);
  }
  const nlohmann::json manifest = {{"format", "ternlab-tnn"},
                                   {"input", {model.inC, model.inH, model.inW}},
                                   {"classes", model.classes},
                                   {"layers", layers},
                                   {"program", program},
                                   {"rprelu", rprelu},
                                   {"info", model.info}};
  // Deflated: the manifest (layer table, provenance, the run's whole config) is a seventh of a LeNet-5 file as text.
  const std::string text = io::deflateText(manifest.dump());

  std::string out(kMagic, sizeof(kMagic));
  put<std::uint32_t>(out, kTnnVersion);
  put<std::uint32_t>(out, kTnnManifestDeflated);
  put<std::uint64_t>(out, text.size());
  out += text;
  put<std::uint64_t>(out, payload.size());
  out += payload;
  put<std::uint64_t>(out, fnv1a64(reinterpret_cast<const unsigned char*>(out.data()), out.size()));

  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw TnnError(path + ": cannot open for writing");
  f.write(out.data(), static_cast<std::streamsize>(out.size()));
  if (!f) throw TnnError(path + ": write failed");
  return out.size();
}

TnnModel readTnn(const std::string& path) {
  std::string bytes;
  try {
    bytes = io::readRegularFile(path, kMaxTnnBytes, "a .tnn file");
  } catch (const io::FileError& e) {
    throw TnnError(e.what());
  }
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    throw TnnError(path + ": not a .tnn file (bad magic; expected \"TERNLAB\\x1a\")");
  Reader r{bytes, path, sizeof(kMagic)};
  const auto version = r.get<std::uint32_t>("version");
  if (version == 0 || version > kTnnVersion)
    throw TnnError(path + ": .tnn version " + std::to_string(version) + " is not supported (this build reads up to " +
                   std::to_string(kTnnVersion) + ")");
  const auto flags = r.get<std::uint32_t>("flags");
  if ((flags & ~kTnnManifestDeflated) != 0 || (version < 3 && flags != 0))
    throw TnnError(path + ": unknown flags " + std::to_string(flags) + " in the header");
  const auto manifestLen = r.get<std::uint64_t>("manifest length");
  r.need(manifestLen, "manifest");
  std::string text = bytes.substr(r.pos, manifestLen);
  r.pos += manifestLen;
  const auto payloadLen = r.get<std::uint64_t>("payload length");
  r.need(payloadLen, "payload");
  const std::size_t payloadAt = r.pos;
  r.pos += payloadLen;
  const std::size_t sumAt = r.pos;
  const auto stored = r.get<std::uint64_t>("checksum");
  if (r.pos != bytes.size())
    throw TnnError(path + ": " + std::to_string(bytes.size() - r.pos) + " unexpected bytes after the checksum");
  const auto actual = fnv1a64(reinterpret_cast<const unsigned char*>(bytes.data()), sumAt);
  if (actual != stored) throw TnnError(path + ": checksum mismatch (the file is damaged)");

  if (flags & kTnnManifestDeflated) {  // after the checksum: a damaged stream is reported as damage first
    try {
      text = io::inflateText(text, kMaxTnnManifestBytes);
    } catch (const std::runtime_error& e) {
      throw TnnError(path + ": manifest: " + e.what());
    }
  }
  nlohmann::json m;
  try {
    m = config::parseBoundedJson(text);
  } catch (const std::exception& e) {
    throw TnnError(path + ": manifest is not valid JSON: " + e.what());
  }
  TnnModel model;
  try {
    model.inC = m.at("input").at(0).get<int>();
    model.inH = m.at("input").at(1).get<int>();
    model.inW = m.at("input").at(2).get<int>();
    model.classes = m.at("classes").get<int>();
    model.info = m.value("info", nlohmann::json::object());
    for (const auto& o : m.at("program")) model.program.push_back(opFrom(o, version));
    const char* base = bytes.data() + payloadAt;
    for (const auto& r : m.value("rprelu", nlohmann::json::array())) {
      const auto name = r.at("name").get<std::string>();
      if (r.contains("shift_in")) {  // older files keep the parameters in the manifest
        model.rprelu.push_back({name, r.at("shift_in").get<std::vector<float>>(), r.at("slope").get<std::vector<float>>(),
                                r.at("shift_out").get<std::vector<float>>()});
        continue;
      }
      const std::size_t channels = r.at("channels"), offset = r.at("offset");
      if (channels == 0 || channels > 4096 || offset > payloadLen || payloadLen - offset < 3 * channels * sizeof(float))
        throw TnnError(path + ": RPReLU " + name + " has a bad channel count or offset in the manifest");
      TnnRprelu p{name, std::vector<float>(channels), std::vector<float>(channels), std::vector<float>(channels)};
      std::memcpy(p.shiftIn.data(), base + offset, channels * sizeof(float));
      std::memcpy(p.slope.data(), base + offset + channels * sizeof(float), channels * sizeof(float));
      std::memcpy(p.shiftOut.data(), base + offset + 2 * channels * sizeof(float), channels * sizeof(float));
      model.rprelu.push_back(std::move(p));
    }
    for (const auto& j : m.at("layers")) {
      TnnLayer l;
      l.name = j.at("name").get<std::string>();
      l.kind = nn::parseLayerKind(j.at("kind").get<std::string>());
      l.mode = parseLayerMode(j.at("mode").get<std::string>());
      l.inC = j.at("in");
      l.outC = j.at("out");
      l.kernel = j.at("kernel");
      l.stride = j.at("stride");
      l.pad = j.at("pad");
      l.thrNeg = j.at("thr_neg").get<float>();
      l.thrPos = j.at("thr_pos").get<float>();
      l.weightScale = j.value("alpha_w", 1.0);
      l.actScale = j.value("alpha_a", 1.0);
      l.planes = j.value("planes", 1);
      if (l.inC <= 0 || l.outC <= 0 || l.kernel <= 0 || l.planes < 1 || l.planes > 8 || l.outC > 4096 ||
          l.kernel > 64 || l.inC > (1 << 24))
        throw TnnError(path + ": layer " + l.name + " has a bad geometry in the manifest");
      const std::size_t offset = j.at("offset"), size = j.at("bytes");
      const std::size_t nCodes = l.weightCount() * static_cast<std::size_t>(l.planes);
      const bool signSplit = j.value("weights", "") == "base3-sign-split";
      if (signSplit && (!l.ternary() || l.planes != 2))
        throw TnnError(path + ": layer " + l.name + " stores sign-split codes but is not a two-plane ternary layer");
      const std::size_t wBytes = !l.ternary() ? l.weightCount() * sizeof(float)
                                              : kernels::base3Bytes(signSplit ? l.weightCount() : nCodes);
      const std::size_t nScale = static_cast<std::size_t>(l.outC) * l.planes;
      const bool hasPreBias = j.value("pre_bias", false), hasBnScale = j.value("bn_scale", false);
      const std::size_t nChannelArrays = 1 + (hasPreBias ? 1 : 0) + (hasBnScale ? 1 : 0);
      const std::size_t need = wBytes + sizeof(float) * (nScale + nChannelArrays * static_cast<std::size_t>(l.outC));
      if (size != need || offset > payloadLen || payloadLen - offset < size)
        throw TnnError(path + ": layer " + l.name + " has an inconsistent size in the manifest");
      const char* p = base + offset;
      if (signSplit) {  // plane 0 = [c > 0], plane 1 = −[c < 0]
        const std::size_t n = l.weightCount();
        l.codes.assign(nCodes, 0);
        kernels::decodeBase3(reinterpret_cast<const std::uint8_t*>(p), n, l.codes.data());
        for (std::size_t i = 0; i < n; ++i)
          if (l.codes[i] < 0) l.codes[i] = 0, l.codes[n + i] = -1;
      } else if (l.ternary()) {
        l.codes.resize(nCodes);
        kernels::decodeBase3(reinterpret_cast<const std::uint8_t*>(p), l.codes.size(), l.codes.data());
      } else {
        l.weights.resize(l.weightCount());
        std::memcpy(l.weights.data(), p, wBytes);
      }
      l.scale.resize(nScale);
      l.bias.resize(l.outC);
      std::memcpy(l.scale.data(), p + wBytes, nScale * sizeof(float));
      const char* channelArrays = p + wBytes + nScale * sizeof(float);
      std::memcpy(l.bias.data(), channelArrays, l.outC * sizeof(float));
      for (auto* v : {hasPreBias ? &l.preBias : nullptr, hasBnScale ? &l.bnScale : nullptr}) {
        if (!v) continue;
        channelArrays += l.outC * sizeof(float);
        v->resize(l.outC);
        std::memcpy(v->data(), channelArrays, l.outC * sizeof(float));
      }
      model.layers.push_back(std::move(l));
    }
  } catch (const TnnError&) {
    throw;
  } catch (const std::exception& e) {
    throw TnnError(path + ": bad manifest: " + e.what());
  }
  try {
    validateProgram(model);  // a damaged or hand-edited file never reaches the kernels
  } catch (const std::invalid_argument& e) {
    throw TnnError(path + ": " + e.what());
  }
  return model;
}

}  // namespace ternlab::engine
