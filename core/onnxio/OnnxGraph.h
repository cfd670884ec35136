#pragma once
// A small builder over ONNX's GraphProto: unique value names, typed initializers and nodes with their
// attributes in one call each. Exists so the lowering in OnnxExport.cpp reads as the network it writes.
// Private to core/onnxio (it includes the protobuf headers).
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

namespace ternlab::onnxio {

// One node attribute: an int, a float, or a list of ints.
struct OnnxAttr {
  std::string name;
  enum class Kind { Int, Float, Ints } kind = Kind::Int;
  std::int64_t i = 0;
  float f = 0;
  std::vector<std::int64_t> ints;
  static OnnxAttr of(std::string n, std::int64_t v) { return {std::move(n), Kind::Int, v, 0, {}}; }
  static OnnxAttr real(std::string n, float v) { return {std::move(n), Kind::Float, 0, v, {}}; }
  static OnnxAttr list(std::string n, std::vector<std::int64_t> v) { return {std::move(n), Kind::Ints, 0, 0, std::move(v)}; }
};

class OnnxGraph {
 public:
  explicit OnnxGraph(onnx::GraphProto& g) : g_(g) {}

  // Initializers (constant tensors); each returns its value name.
  std::string floats(const std::string& name, const std::vector<std::int64_t>& dims, const float* data);
  std::string floats(const std::string& name, const std::vector<std::int64_t>& dims, const std::vector<float>& v) {
    return floats(name, dims, v.data());
  }
  std::string scalar(const std::string& name, float v) { return floats(name, {}, &v); }
  std::string int8s(const std::string& name, const std::vector<std::int64_t>& dims, const std::int8_t* data);
  std::string int64s(const std::string& name, const std::vector<std::int64_t>& v);

  // A node with one output, named after `hint` (made unique); returns the output name.
  std::string node(const std::string& op, const std::vector<std::string>& inputs, const std::string& hint,
                   std::initializer_list<OnnxAttr> attrs = {});

  // Graph input / output: float tensors whose first dimension is the batch ("batch").
  void input(const std::string& name, const std::vector<std::int64_t>& dimsAfterBatch);
  void output(const std::string& name, const std::vector<std::int64_t>& dimsAfterBatch);

  std::size_t nodeCount() const { return static_cast<std::size_t>(g_.node_size()); }

 private:
  std::string unique(const std::string& hint);
  onnx::TensorProto& initializer(const std::string& name, int type, const std::vector<std::int64_t>& dims);
  onnx::GraphProto& g_;
  std::map<std::string, int> used_;  // name -> how many times it was asked for
};

}  // namespace ternlab::onnxio
