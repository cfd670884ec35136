#include "onnxio/OnnxGraph.h"

#include <cstring>

namespace ternlab::onnxio {

std::string OnnxGraph::unique(const std::string& hint) {
  const int n = used_[hint]++;
  return n == 0 ? hint : hint + "_" + std::to_string(n);
}

onnx::TensorProto& OnnxGraph::initializer(const std::string& name, int type, const std::vector<std::int64_t>& dims) {
  auto* t = g_.add_initializer();
  t->set_name(unique(name));
  t->set_data_type(type);
  for (auto d : dims) t->add_dims(d);
  return *t;
}

namespace {
std::size_t count(const std::vector<std::int64_t>& dims) {
  std::size_t n = 1;
  for (auto d : dims) n *= static_cast<std::size_t>(d);
  return n;
}
}  // namespace

// raw_data is little-endian, as on every machine TernLab builds for.
std::string OnnxGraph::floats(const std::string& name, const std::vector<std::int64_t>& dims, const float* data) {
  auto& t = initializer(name, onnx::TensorProto::FLOAT, dims);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(data), count(dims) * sizeof(float)));
  return t.name();
}

std::string OnnxGraph::int8s(const std::string& name, const std::vector<std::int64_t>& dims, const std::int8_t* data) {
  auto& t = initializer(name, onnx::TensorProto::INT8, dims);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(data), count(dims)));
  return t.name();
}

std::string OnnxGraph::int64s(const std::string& name, const std::vector<std::int64_t>& v) {
  auto& t = initializer(name, onnx::TensorProto::INT64, {static_cast<std::int64_t>(v.size())});
  t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(std::int64_t)));
  return t.name();
}

std::string OnnxGraph::node(const std::string& op, const std::vector<std::string>& inputs, const std::string& hint,
                            std::initializer_list<OnnxAttr> attrs) {
  auto* n = g_.add_node();
  n->set_op_type(op);
  const auto out = unique(hint);
  n->set_name(out);
  for (const auto& i : inputs) n->add_input(i);
  n->add_output(out);
  for (const auto& a : attrs) {
    auto* p = n->add_attribute();
    p->set_name(a.name);
    switch (a.kind) {
      case OnnxAttr::Kind::Int: p->set_type(onnx::AttributeProto::INT), p->set_i(a.i); break;
      case OnnxAttr::Kind::Float: p->set_type(onnx::AttributeProto::FLOAT), p->set_f(a.f); break;
      case OnnxAttr::Kind::Ints:
        p->set_type(onnx::AttributeProto::INTS);
        for (auto v : a.ints) p->add_ints(v);
        break;
    }
  }
  return out;
}

namespace {
void describe(onnx::ValueInfoProto& v, const std::string& name, const std::vector<std::int64_t>& dims) {
  v.set_name(name);
  auto* t = v.mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  auto* s = t->mutable_shape();
  s->add_dim()->set_dim_param("batch");
  for (auto d : dims) s->add_dim()->set_dim_value(d);
}
}  // namespace

void OnnxGraph::input(const std::string& name, const std::vector<std::int64_t>& dims) {
  used_[name]++;
  describe(*g_.add_input(), name, dims);
}

void OnnxGraph::output(const std::string& name, const std::vector<std::int64_t>& dims) {
  describe(*g_.add_output(), name, dims);
}

}  // namespace ternlab::onnxio
