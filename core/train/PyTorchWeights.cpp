#include "train/PyTorchWeights.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/unpickler.h>
#include <torch/torch.h>

#include <cstring>
#include <regex>
#include <set>
#include <vector>

#include "io/RegularFile.h"

namespace ternlab::train {

namespace {

constexpr std::size_t kMaxPickleBytes = std::size_t{64} << 20;

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw std::runtime_error(path + ": " + what); }

// LibTorch 1.13's unpickler turns `collections.OrderedDict()` into None (it expects one only as a tensor's
// empty backward hooks), and it knows neither SETITEM nor APPEND, so the usual torch.save(model.state_dict())
// does not load. This pass walks the pickle (protocol 2, as torch.save writes) keeping, for each stack entry, the
// byte where it starts, and rewrites: `GLOBAL collections OrderedDict` and the BINPUT that memoises it are
// dropped and each `<class> EMPTY_TUPLE REDUCE` (the GLOBAL itself, or a BINGET of its memo slot) becomes
// EMPTY_DICT; `key value SETITEM` becomes `MARK key value SETITEMS` (APPEND likewise APPENDS); a BUILD (which sets
// the dict's `_metadata` attribute, not part of the weights) is dropped with its state. Pickles hold no byte
// offsets, so lengths may change. Tensors and everything else are left to LibTorch's unpickler. An opcode a
// state_dict does not use is refused with its offset.
class OrderedDictRewriter {
 public:
  OrderedDictRewriter(std::string& p, const std::string& path) : p_(p), path_(path) {}

  void run() {
    std::string out;
    out.reserve(p_.size() + p_.size() / 8);
    std::vector<std::size_t> stack;  // start of each entry in `out`; marks are entries too
    std::vector<std::size_t> marks;  // stack sizes at each MARK
    auto pop = [&](std::size_t n, std::size_t at) {
      if (stack.size() < n + (marks.empty() ? 0 : marks.back())) fail(path_, "data.pkl: stack underflow at byte " + std::to_string(at));
      const std::size_t first = stack[stack.size() - n];
      stack.resize(stack.size() - n);
      return first;
    };
    auto popMark = [&](std::size_t at) {
      if (marks.empty()) fail(path_, "data.pkl: no MARK for the opcode at byte " + std::to_string(at));
      const std::size_t start = stack[marks.back() - 1];  // the mark's own entry
      stack.resize(marks.back() - 1);
      marks.pop_back();
      return start;
    };
    std::size_t i = 0;
    while (i < p_.size()) {
      const auto op = static_cast<unsigned char>(p_[i]);
      const std::size_t at = i++;
      const std::size_t here = out.size();
      bool classHere = false;  // this opcode pushes the OrderedDict class
      int push = 0;            // entries this opcode pushes (after what it pops)
      switch (op) {
        case 0x80: need(i, 1), i += 1; break;  // PROTO
        case 'c': {                             // GLOBAL module\nname\n
          const auto m = line(i), n = line(i + m.size() + 1);
          i += m.size() + n.size() + 2;
          classHere = m == "collections" && n == "OrderedDict";
          push = 1;
          break;
        }
        case 'q': need(i, 1), i += 1; break;  // BINPUT
        case 'r': need(i, 4), i += 4; break;  // LONG_BINPUT
        case 'h': need(i, 1), classHere = classMemo_.count(static_cast<unsigned char>(p_[i])) > 0, i += 1, push = 1; break;
        case 'j': need(i, 4), classHere = classMemo_.count(u32(i)) > 0, i += 4, push = 1; break;  // LONG_BINGET
        case 'X': case 'B': case 'T': need(i, 4), i += 4 + u32(i), push = 1; break;  // BINUNICODE, BINBYTES, BINSTRING
        case 'C': case 0x8c: case 'U': case 0x8a:  // SHORT_BINBYTES, SHORT_BINUNICODE, SHORT_BINSTRING, LONG1
          need(i, 1), i += 1 + static_cast<unsigned char>(p_[i]), push = 1;
          break;
        case 'J': i += 4, push = 1; break;  // BININT
        case 'K': i += 1, push = 1; break;  // BININT1
        case 'M': i += 2, push = 1; break;  // BININT2
        case 'G': i += 8, push = 1; break;  // BINFLOAT
        case '}': case ']': case ')': case 'N': case 0x88: case 0x89: push = 1; break;
        case '(':
          stack.push_back(here);
          marks.push_back(stack.size());
          break;
        case 't': stack.push_back(popMark(at)); break;  // TUPLE
        case 'u': case 'e': popMark(at); break;         // SETITEMS, APPENDS: the dict / list stays
        case 0x85: case 0x86: case 0x87: stack.push_back(pop(op - 0x84, at)); break;  // TUPLE1..3
        case 'R': stack.push_back(pop(2, at)); break;   // REDUCE: callable, args -> result
        case 'Q': stack.push_back(pop(1, at)); break;   // BINPERSID
        case 'b':  // BUILD (the dict's `_metadata`; LibTorch's BUILD is for its own legacy classes): state and BUILD dropped
          out.erase(pop(1, at));
          continue;
        case 's': case 'a': {                           // SETITEM / APPEND -> MARK ... SETITEMS / APPENDS
          const std::size_t first = pop(op == 's' ? 2 : 1, at);
          out.insert(out.begin() + static_cast<std::ptrdiff_t>(first), '(');
          out += op == 's' ? 'u' : 'e';
          continue;
        }
        case '.': out += '.'; p_ = std::move(out); return;  // STOP
        default:
          fail(path_, "data.pkl: pickle opcode 0x" + hex(op) + " at byte " + std::to_string(at) +
                          " is not one torch.save writes for a state_dict");
      }
      if (i > p_.size()) fail(path_, "data.pkl: truncated at byte " + std::to_string(at));
      if (!classHere) {
        out.append(p_, at, i - at);
        for (int k = 0; k < push; ++k) stack.push_back(here);
        continue;
      }
      // The class: a memo of it (dropped), then EMPTY_TUPLE REDUCE (one empty dict), or a use we cannot map.
      if (op == 'c' && i < p_.size() && (p_[i] == 'q' || p_[i] == 'r')) {
        const bool longForm = p_[i] == 'r';
        need(i + 1, longForm ? 4 : 1);
        classMemo_.insert(longForm ? u32(i + 1) : static_cast<unsigned char>(p_[i + 1]));
        i += longForm ? 5 : 2;
      }
      if (i + 1 < p_.size() && p_[i] == ')' && p_[i + 1] == 'R') {
        out += '}';
        stack.push_back(here);
        i += 2;
      } else {
        fail(path_, "data.pkl: collections.OrderedDict used otherwise than OrderedDict() at byte " + std::to_string(at));
      }
    }
    fail(path_, "data.pkl: no STOP opcode");
  }

 private:
  void need(std::size_t i, std::size_t n) const {
    if (i + n > p_.size()) fail(path_, "data.pkl: truncated at byte " + std::to_string(i));
  }
  std::uint32_t u32(std::size_t i) const {
    need(i, 4);
    std::uint32_t v;
    std::memcpy(&v, p_.data() + i, 4);
    return v;
  }
  std::string line(std::size_t i) const {
    const auto e = p_.find('\n', i);
    if (e == std::string::npos) fail(path_, "data.pkl: unterminated GLOBAL at byte " + std::to_string(i));
    return p_.substr(i, e - i);
  }
  static std::string hex(unsigned v) {
    static const char* d = "0123456789abcdef";
    return {d[v >> 4], d[v & 15]};
  }
  std::string& p_;
  const std::string& path_;
  std::set<std::uint32_t> classMemo_;
};

}  // namespace

bool isPyTorchArchive(const std::string& path) {
  try {
    caffe2::serialize::PyTorchStreamReader r(path);
    return r.hasRecord("data.pkl") && !r.hasRecord("constants.pkl");
  } catch (const std::exception&) {
    return false;
  }
}

ModelState readPyTorchStateDict(const std::string& path) {
  if (const auto kind = io::nonRegularKind(path); !kind.empty()) fail(path, "is " + kind + ", expected a PyTorch weights file");
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
  try {
    reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
  } catch (const std::exception& e) {
    fail(path, "not a torch.save zip archive");
  }
  if (!reader->hasRecord("data.pkl")) fail(path, "holds no data.pkl (not written by torch.save?)");
  auto [data, size] = reader->getRecord("data.pkl");
  if (size > kMaxPickleBytes) fail(path, "data.pkl is over 64 MiB");
  std::string pickle(static_cast<const char*>(data.get()), size);
  OrderedDictRewriter(pickle, path).run();

  std::size_t pos = 0;
  auto readBytes = [&](char* out, std::size_t n) {
    const std::size_t k = std::min(n, pickle.size() - pos);
    std::memcpy(out, pickle.data() + pos, k);
    pos += k;
    return k;
  };
  auto readRecord = [&](const std::string& name) {
    const std::string record = "data/" + name;
    if (!reader->hasRecord(record)) fail(path, "tensor storage " + record + " is missing");
    return std::get<0>(reader->getRecord(record));
  };
  auto noClasses = [&](const c10::QualifiedName& q) -> c10::StrongTypePtr {
    fail(path, "data.pkl names class " + q.qualifiedName() + "; a state_dict holds only tensors");
  };
  c10::IValue root;
  try {
    torch::jit::Unpickler u(readBytes, noClasses, nullptr, readRecord, at::Device(at::kCPU));
    root = u.parse_ivalue();
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()).rfind(path, 0) == 0) throw;
    fail(path, std::string("cannot be unpickled: ") + e.what());
  }
  if (!root.isGenericDict()) fail(path, "does not hold a dict of tensors (torch.save(model.state_dict()) writes one)");
  ModelState out;
  for (const auto& kv : root.toGenericDict()) {
    if (!kv.key().isString()) fail(path, "a key of the state dict is not a string");
    const auto name = kv.key().toStringRef();
    if (!kv.value().isTensor()) fail(path, name + " is not a tensor");
    out[name] = kv.value().toTensor().contiguous().clone();
  }
  return out;
}

std::string ternlabNameOf(const std::string& pytorchName) {
  std::string n = pytorchName;
  while (n.rfind("module.", 0) == 0) n = n.substr(7);
  static const std::regex block(R"(^layer(\d+)\.(\d+)\.)");
  n = std::regex_replace(n, block, "layer$1_$2.");
  static const std::regex conv(R"(\.(downsample|shortcut)\.0\.)"), bn(R"(\.(downsample|shortcut)\.1\.)");
  n = std::regex_replace(n, conv, ".shortcut.");
  n = std::regex_replace(n, bn, ".bn_shortcut.");
  if (n.rfind("linear.", 0) == 0) n = "fc." + n.substr(7);
  return n;
}

namespace {
std::string shapeOf(const at::Tensor& t) {
  std::string s = "[";
  for (std::int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}
// A tensor of a convolution, linear or BatchNorm module: what a PyTorch network of the same architecture has.
bool isLayerTensor(const std::string& name) {
  static const std::regex re(R"((^|\.)(conv\d*|fc\d*|bn\w*|shortcut)\.(weight|bias|running_mean|running_var)$)");
  return std::regex_search(name, re);
}
}  // namespace

ModelState mapPyTorchState(const ModelState& file, const ModelState& target, const std::string& path) {
  ModelState out;
  for (const auto& [name, t] : file) {
    const auto mapped = ternlabNameOf(name);
    const auto it = target.find(mapped);
    if (it == target.end())
      fail(path, name + (mapped != name ? " (as " + mapped + ")" : "") + " has no counterpart in the TernLab model");
    if (it->second.sizes() != t.sizes())
      fail(path, name + ": the file has " + shapeOf(t) + ", the TernLab model's " + mapped + " is " + shapeOf(it->second));
    out[mapped] = t.to(it->second.scalar_type());
  }
  for (const auto& [name, t] : target)
    if (isLayerTensor(name) && !out.count(name)) fail(path, "holds no tensor for the model's " + name);
  return out;
}

}  // namespace ternlab::train
