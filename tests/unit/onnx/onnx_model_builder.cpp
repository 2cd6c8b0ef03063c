#include "unit/onnx/onnx_model_builder.hpp"

#include <cctype>
#include <cstring>
#include <fstream>

namespace tessera::onnx::onnx_testing {

OnnxModelBuilder::OnnxModelBuilder(std::int64_t opset) {
  model_.set_ir_version(8);
  model_.set_producer_name("tessera-test");
  auto* op = model_.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  model_.mutable_graph()->set_name("test");
}

OnnxModelBuilder& OnnxModelBuilder::input(const std::string& name, std::int32_t elem_type,
                                          const std::vector<std::string>& dims) {
  auto* vi = model_.mutable_graph()->add_input();
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem_type);
  auto* shape = tt->mutable_shape();
  for (const auto& d : dims) {
    auto* dim = shape->add_dim();
    if (!d.empty() && (std::isdigit(static_cast<unsigned char>(d[0])) != 0))
      dim->set_dim_value(std::stoll(d));
    else
      dim->set_dim_param(d);
  }
  return *this;
}

OnnxModelBuilder& OnnxModelBuilder::output(const std::string& name, std::int32_t elem_type) {
  auto* vi = model_.mutable_graph()->add_output();
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem_type);
  tt->mutable_shape();  // the checker wants the field; its dims are left to inference
  return *this;
}

OnnxModelBuilder& OnnxModelBuilder::weight(const std::string& name,
                                           const std::vector<std::int64_t>& dims,
                                           const std::vector<float>& values,
                                           const std::string& external_location) {
  auto* t = model_.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::FLOAT);
  std::int64_t n = 1;
  for (auto d : dims) {
    t->add_dims(d);
    n *= d;
  }
  if (!external_location.empty()) {
    t->set_data_location(::onnx::TensorProto::EXTERNAL);
    auto* loc = t->add_external_data();
    loc->set_key("location");
    loc->set_value(external_location);
    auto* len = t->add_external_data();
    len->set_key("length");
    len->set_value(std::to_string(n * 4));
    return *this;
  }
  std::vector<float> data = values;
  if (data.empty())
    for (std::int64_t i = 0; i < n; ++i) data.push_back(0.01F * static_cast<float>(i % 97));
  std::string raw(data.size() * sizeof(float), '\0');
  std::memcpy(raw.data(), data.data(), raw.size());
  t->set_raw_data(raw);
  return *this;
}

OnnxModelBuilder& OnnxModelBuilder::ints(const std::string& name,
                                         const std::vector<std::int64_t>& dims,
                                         const std::vector<std::int64_t>& values) {
  auto* t = model_.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::INT64);
  for (auto d : dims) t->add_dims(d);
  for (auto v : values) t->add_int64_data(v);
  return *this;
}

OnnxModelBuilder& OnnxModelBuilder::constant(const std::string& output, std::int32_t elem_type,
                                             const std::vector<std::int64_t>& dims,
                                             const std::vector<double>& values) {
  ::onnx::TensorProto t;
  t.set_data_type(elem_type);
  for (auto d : dims) t.add_dims(d);
  for (double v : values) {
    if (elem_type == ::onnx::TensorProto::FLOAT)
      t.add_float_data(static_cast<float>(v));
    else if (elem_type == ::onnx::TensorProto::INT64)
      t.add_int64_data(static_cast<std::int64_t>(v));
    else
      t.add_int32_data(v != 0.0 ? 1 : 0);
  }
  set_attribute(node("Constant", {}, {output}), "value", t);
  return *this;
}

::onnx::NodeProto& OnnxModelBuilder::node(const std::string& op_type,
                                          const std::vector<std::string>& inputs,
                                          const std::vector<std::string>& outputs,
                                          const std::string& name, const std::string& domain) {
  auto* n = model_.mutable_graph()->add_node();
  n->set_op_type(op_type);
  n->set_name(name.empty() ? outputs.at(0) : name);
  if (!domain.empty()) n->set_domain(domain);
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) n->add_output(o);
  return *n;
}

OnnxModelBuilder& OnnxModelBuilder::domain(const std::string& domain, std::int64_t version) {
  auto* op = model_.add_opset_import();
  op->set_domain(domain);
  op->set_version(version);
  return *this;
}

std::string OnnxModelBuilder::bytes() const {
  return model_.SerializeAsString();
}

std::string OnnxModelBuilder::write(const std::filesystem::path& path) const {
  std::ofstream out(path, std::ios::binary);
  const std::string b = bytes();
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
  return path.string();
}

std::filesystem::path scratch_dir(const std::string& test_name) {
  const auto dir = std::filesystem::temp_directory_path() / ("tessera_onnx_test_" + test_name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace tessera::onnx::onnx_testing
