#include "tessera/onnx/onnx_import.hpp"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>
#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include "onnx/detail/onnx_fold.hpp"
#include "onnx/detail/onnx_ops.hpp"
#include "onnx/detail/onnx_tensors.hpp"
#include "tessera/core/file_text.hpp"

namespace tessera::onnx {

namespace {

namespace fs = std::filesystem;
using detail::FoldedTensor;
using graph::OpKind;
using ::onnx::NodeProto;
using ::onnx::TensorProto;
using ::onnx::TypeProto;
using Dims = std::vector<std::int64_t>;

/// The newest opset of the default domain the linked ONNX library has schemas for.
int newest_default_opset() {
  const auto& map = ::onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  const auto it = map.find(::onnx::ONNX_DOMAIN);
  return it == map.end() ? 0 : it->second.second;
}

std::string normal_domain(const std::string& domain) {
  return domain == "ai.onnx" ? std::string() : domain;
}

/// True when `first` can begin a serialized ModelProto: the tag byte of one of its fields
/// (ir_version 1 .. functions 25) with that field's wire type. Catches files of another format
/// (zip archives of PyTorch checkpoints, HDF5, text) before protobuf parses them into nonsense.
bool plausible_first_tag(unsigned char first) {
  const unsigned field = first >> 3;
  const unsigned wire = first & 7U;
  switch (field) {
    case 1:  // ir_version
    case 5:  // model_version
      return wire == 0;
    case 2:   // producer_name
    case 3:   // producer_version
    case 4:   // domain
    case 6:   // doc_string
    case 7:   // graph
    case 8:   // opset_import
    case 14:  // metadata_props
      return wire == 2;
    default:  // training_info (20) and functions (25) need two tag bytes: high bit set
      return (first & 0x80U) != 0 && wire == 2;
  }
}

/// How many of each repeated element a serialized model holds, counted on the wire before
/// protobuf builds a message for any of them (a 2 GiB file of 2-byte empty nodes would
/// otherwise become a billion NodeProto objects).
struct WireCounts {
  std::int64_t nodes = 0;         ///< GraphProto.node of the main graph and of local functions
  std::int64_t initializers = 0;  ///< GraphProto.initializer and sparse_initializer
  std::int64_t values = 0;        ///< GraphProto.input, output and value_info
};

namespace wire {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

/// Calls `on_field(field, length-delimited payload or empty)` for every field of one message;
/// false when the bytes are not well-formed wire format (ParseFromArray then says so).
template <typename F>
bool for_each_field(std::string_view bytes, F&& on_field) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return false;
  CodedInputStream in(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  while (const std::uint32_t tag = in.ReadTag()) {
    const int field = WireFormatLite::GetTagFieldNumber(tag);
    if (WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      std::uint32_t length = 0;
      if (!in.ReadVarint32(&length) || length > bytes.size()) return false;
      const auto start = static_cast<std::size_t>(in.CurrentPosition());
      if (!in.Skip(static_cast<int>(length))) return false;
      on_field(field, bytes.substr(start, length));
    } else {
      if (!WireFormatLite::SkipField(&in, tag)) return false;
      on_field(field, std::string_view());
    }
  }
  return in.ConsumedEntireMessage();
}

}  // namespace wire

/// The counts of `bytes` (a serialized ModelProto), or nothing when its wire format is broken.
std::optional<WireCounts> count_on_the_wire(std::string_view bytes) {
  WireCounts c;
  bool ok = true;
  auto graph = [&](std::string_view g) {
    ok = ok && wire::for_each_field(g, [&](int field, std::string_view) {
           if (field == 1) ++c.nodes;
           if (field == 5 || field == 15) ++c.initializers;
           if (field == 11 || field == 12 || field == 13) ++c.values;
         });
  };
  auto function = [&](std::string_view f) {
    ok = ok && wire::for_each_field(f, [&](int field, std::string_view) {
           if (field == 7) ++c.nodes;
         });
  };
  ok = wire::for_each_field(bytes,
                            [&](int field, std::string_view payload) {
                              if (field == 7) graph(payload);      // ModelProto.graph
                              if (field == 25) function(payload);  // ModelProto.functions
                            }) &&
       ok;
  if (!ok) return std::nullopt;
  return c;
}

std::string hex_byte(unsigned char b) {
  static const char* kDigits = "0123456789abcdef";
  std::string out = "0x";
  out += kDigits[b >> 4];
  out += kDigits[b & 15U];
  if (b >= 0x20 && b < 0x7f) out += std::string(" '") + static_cast<char>(b) + "'";
  return out;
}

std::string dims_text(const Dims& dims) {
  if (dims.empty()) return "scalar";
  std::string out;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) out += 'x';
    out += dims[i] < 0 ? "?" : std::to_string(dims[i]);
  }
  return out;
}

/// The static dims of a tensor type, or nothing when a dimension is symbolic or unknown.
std::optional<Dims> static_dims(const TypeProto& type) {
  if (!type.has_tensor_type() || !type.tensor_type().has_shape()) return std::nullopt;
  Dims out;
  for (const auto& d : type.tensor_type().shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() < 0) return std::nullopt;
    out.push_back(d.dim_value());
  }
  return out;
}

/// True when a tensor of `dims` has at most graph::kMaxTensorElements elements.
bool within_limit(const Dims& dims) {
  return graph::element_count(dims) <= graph::kMaxTensorElements;
}

std::string too_large() {
  return ": more than 2^40 elements, the largest tensor Tessera accepts";
}

/// "?x128" style text of a possibly partial shape.
std::string type_shape_text(const TypeProto& type) {
  if (!type.has_tensor_type()) return "not a tensor";
  if (!type.tensor_type().has_shape()) return "unknown rank";
  Dims dims;
  for (const auto& d : type.tensor_type().shape().dim())
    dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
  return dims_text(dims);
}

TypeProto tensor_type(std::int32_t elem_type, const Dims& dims) {
  TypeProto t;
  auto* tt = t.mutable_tensor_type();
  tt->set_elem_type(elem_type);
  auto* shape = tt->mutable_shape();
  for (auto d : dims) shape->add_dim()->set_dim_value(d);
  return t;
}

std::string join(const std::vector<std::string>& items, std::size_t limit = 8) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < limit; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > limit) out += ", ... (" + std::to_string(items.size() - limit) + " more)";
  return out;
}

/// Imports one parsed model; one instance per import.
class Importer {
 public:
  Importer(::onnx::ModelProto& model, std::string path, const OnnxImportOptions& options)
      : model_(model), graph_(*model.mutable_graph()), path_(std::move(path)), options_(options) {}

  Result<OnnxImport> run() {
    if (Status s = check_header(); !s.ok()) return s.diagnostics();
    if (Status s = check_structure(); !s.ok()) return s.diagnostics();
    if (Status s = run_checker(); !s.ok()) return s.diagnostics();
    if (Status s = resolve_inputs(); !s.ok()) return s.diagnostics();
    if (Status s = infer_shapes(); !s.ok()) return s.diagnostics();
    auto g = build_graph();
    if (!g.ok()) return g.diagnostics();
    OnnxImport out;
    out.graph = std::move(g).value();
    out.warnings = collect_warnings();
    return out;
  }

 private:
  Diagnostic problem(std::string field, std::string message) const {
    return Diagnostic{path_, 0, 0, std::move(field), std::move(message)};
  }
  static std::string node_field(const NodeProto& node) {
    return "node '" + node.name() + "' (" + node.op_type() + ")";
  }
  static std::string initializer_field(const std::string& name) {
    return "initializer '" + name + "'";
  }

  // --- 1. The model's header: graph, IR version, opsets. ---

  Status check_header() {
    std::vector<Diagnostic> problems;
    if (model_.ir_version() <= 0)
      problems.push_back(problem("ir_version", "missing: this is not an ONNX model"));
    if (model_.ir_version() > ::onnx::IR_VERSION)
      problems.push_back(
          problem("ir_version", "IR version " + std::to_string(model_.ir_version()) +
                                    " is newer than the linked ONNX library reads (" +
                                    std::to_string(::onnx::IR_VERSION) + ")"));
    if (!model_.has_graph()) problems.push_back(problem("graph", "the model has no graph"));
    const int newest = newest_default_opset();
    for (const auto& opset : model_.opset_import()) {
      const std::string domain = normal_domain(opset.domain());
      if (domain.empty() && opset.version() > newest)
        problems.push_back(problem(
            "opset_import", "opset " + std::to_string(opset.version()) +
                                " of the default ONNX domain is newer than the linked ONNX library "
                                "supports (opset " +
                                std::to_string(newest) + ")"));
      opsets_[domain] = static_cast<int>(opset.version());
    }
    return problems;
  }

  // --- 2. Structure: initializers, names, undefined inputs, cycles; nodes sorted. ---

  void check_initializer(const TensorProto& t, std::vector<Diagnostic>& problems) const {
    const std::string field = initializer_field(t.name());
    if (!detail::ir_type(t.data_type())) {
      problems.push_back(problem(field, "has element type " +
                                            detail::elem_type_name(t.data_type()) +
                                            ", which the IR cannot represent"));
      return;
    }
    Dims dims(t.dims().begin(), t.dims().end());
    for (auto d : dims)
      if (d < 0) {
        problems.push_back(problem(field, "has a negative dimension (" + dims_text(dims) + ")"));
        return;
      }
    if (!within_limit(dims)) {
      problems.push_back(problem(field, "has dims " + dims_text(dims) + too_large()));
      return;
    }
    const std::int64_t elements = graph::element_count(dims);
    if (detail::is_external(t)) {
      bool has_location = false;
      for (const auto& e : t.external_data()) has_location |= e.key() == "location";
      if (!has_location)
        problems.push_back(problem(field, "stores its data externally but names no location"));
      if (dims.empty())
        problems.push_back(
            problem(field, "has no dims: the shape of its external data is unknown"));
      return;
    }
    const auto count = detail::inline_value_count(t);
    if (!count) {
      problems.push_back(problem(field, "raw_data of " + std::to_string(t.raw_data().size()) +
                                            " bytes is not a whole number of " +
                                            detail::elem_type_name(t.data_type()) + " elements"));
    } else if (dims.empty() && *count == 0) {
      problems.push_back(problem(field, "has no dims and no data"));
    } else if (dims.empty() && *count != 1) {
      problems.push_back(
          problem(field, "has no dims (a scalar) but holds " + std::to_string(*count) + " values"));
    } else if (*count != elements) {
      problems.push_back(problem(field, "has dims " + dims_text(dims) + " (" +
                                            std::to_string(elements) + " elements) but holds " +
                                            std::to_string(*count) + " values"));
    }
  }

  Status check_structure() {
    std::vector<Diagnostic> problems;
    std::unordered_set<std::string> defined;
    for (const auto& t : graph_.initializer()) {
      check_initializer(t, problems);
      initializers_[t.name()] = &t;
      defined.insert(t.name());
    }
    for (const auto& s : graph_.sparse_initializer())
      problems.push_back(problem(initializer_field(s.values().name()),
                                 "is a sparse initializer, which the importer does not read"));
    for (const auto& in : graph_.input()) defined.insert(in.name());

    // Unique node names (they name operators and diagnostics): empty ones become "Type_index".
    std::unordered_set<std::string> names;
    for (int i = 0; i < graph_.node_size(); ++i) {
      auto* node = graph_.mutable_node(i);
      std::string name =
          node->name().empty() ? node->op_type() + "_" + std::to_string(i) : node->name();
      std::string unique = name;
      for (int k = 1; names.count(unique); ++k) unique = name + "_" + std::to_string(k);
      names.insert(unique);
      node->set_name(unique);
    }

    std::unordered_map<std::string, int> producer;
    for (int i = 0; i < graph_.node_size(); ++i) {
      const auto& node = graph_.node(i);
      for (const auto& out : node.output()) {
        if (out.empty()) continue;
        if (defined.count(out) && !producer.count(out)) {
          problems.push_back(problem(node_field(node), "writes '" + out +
                                                           "', which is a graph input or an "
                                                           "initializer"));
        } else if (auto it = producer.find(out); it != producer.end()) {
          problems.push_back(problem(node_field(node), "writes '" + out + "', which " +
                                                           node_field(graph_.node(it->second)) +
                                                           " writes too"));
        } else {
          producer[out] = i;
        }
      }
    }
    for (const auto& node : graph_.node())
      for (const auto& in : node.input())
        if (!in.empty() && !defined.count(in) && !producer.count(in))
          problems.push_back(
              problem(node_field(node), "reads '" + in +
                                            "', which is neither a graph input, an "
                                            "initializer nor the output of any node"));
    for (const auto& out : graph_.output())
      if (!defined.count(out.name()) && !producer.count(out.name()))
        problems.push_back(problem("graph output '" + out.name() + "'",
                                   "is neither a graph input, an initializer nor the output of "
                                   "any node"));
    if (!problems.empty()) return problems;

    // Kahn's algorithm, ties by file order: exported graphs keep their order.
    const int n = graph_.node_size();
    std::vector<int> pending(static_cast<std::size_t>(n), 0);
    std::vector<std::vector<int>> readers(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      std::set<int> from;
      for (const auto& in : graph_.node(i).input())
        if (auto it = producer.find(in); it != producer.end()) from.insert(it->second);
      for (int p : from) readers[static_cast<std::size_t>(p)].push_back(i);
      pending[static_cast<std::size_t>(i)] = static_cast<int>(from.size());
    }
    std::priority_queue<int, std::vector<int>, std::greater<>> ready;
    for (int i = 0; i < n; ++i)
      if (pending[static_cast<std::size_t>(i)] == 0) ready.push(i);
    std::vector<int> order;
    order.reserve(static_cast<std::size_t>(n));
    while (!ready.empty()) {
      const int i = ready.top();
      ready.pop();
      order.push_back(i);
      for (int r : readers[static_cast<std::size_t>(i)])
        if (--pending[static_cast<std::size_t>(r)] == 0) ready.push(r);
    }
    if (static_cast<int>(order.size()) != n) {
      std::vector<std::string> stuck;
      for (int i = 0; i < n; ++i)
        if (pending[static_cast<std::size_t>(i)] > 0)
          stuck.push_back("'" + graph_.node(i).name() + "'");
      for (int i = 0; i < n; ++i)
        if (pending[static_cast<std::size_t>(i)] > 0)
          return problem(node_field(graph_.node(i)),
                         "is part of a cycle: the graph is not a DAG (nodes on or after the "
                         "cycle: " +
                             join(stuck) + ")");
    }
    bool sorted = true;
    for (int i = 0; i < n; ++i) sorted &= order[static_cast<std::size_t>(i)] == i;
    if (!sorted) {
      google::protobuf::RepeatedPtrField<NodeProto> nodes;
      for (int i : order) nodes.Add()->Swap(graph_.mutable_node(i));
      graph_.mutable_node()->Swap(&nodes);
    }
    return {};
  }

  // --- 3. The ONNX checker. ---

  /// The checker stats every external data file; a graph-only model has none. It checks a copy in
  /// which external tensors are graph inputs of the same type and shape instead.
  Status run_checker() {
    bool external = false;
    for (const auto& t : graph_.initializer()) external |= detail::is_external(t);
    for (const auto& node : graph_.node())
      for (const auto& a : node.attribute()) external |= a.has_t() && detail::is_external(a.t());
    ::onnx::ModelProto copy;
    const ::onnx::ModelProto* checked = &model_;
    if (external) {
      copy = model_;
      auto* g = copy.mutable_graph();
      std::unordered_set<std::string> inputs;
      for (const auto& in : g->input()) inputs.insert(in.name());
      auto add_input = [&](const std::string& name, const TensorProto& t) {
        if (inputs.insert(name).second) {
          auto* vi = g->add_input();
          vi->set_name(name);
          *vi->mutable_type() = tensor_type(t.data_type(), Dims(t.dims().begin(), t.dims().end()));
        }
      };
      google::protobuf::RepeatedPtrField<TensorProto> kept;
      for (auto& t : *g->mutable_initializer()) {
        if (detail::is_external(t))
          add_input(t.name(), t);
        else
          kept.Add()->Swap(&t);
      }
      g->mutable_initializer()->Swap(&kept);
      google::protobuf::RepeatedPtrField<NodeProto> nodes;
      for (auto& node : *g->mutable_node()) {
        const bool external_constant = node.op_type() == "Constant" && node.attribute_size() == 1 &&
                                       node.attribute(0).has_t() &&
                                       detail::is_external(node.attribute(0).t());
        if (external_constant)
          add_input(node.output(0), node.attribute(0).t());
        else
          nodes.Add()->Swap(&node);
      }
      g->mutable_node()->Swap(&nodes);
      checked = &copy;
    }
    try {
      ::onnx::checker::check_model(*checked);
    } catch (const std::exception& e) {
      std::string message = e.what();
      while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
      return problem("model", "the ONNX checker rejects it: " + message);
    }
    return {};
  }

  // --- 4. Graph inputs: symbolic dimensions set from the options. ---

  Status resolve_inputs() {
    std::vector<Diagnostic> problems;
    for (const auto& t : graph_.initializer()) {
      set_type(t.name(), tensor_type(t.data_type(), Dims(t.dims().begin(), t.dims().end())));
      if (!detail::is_external(t)) input_data_[t.name()] = &t;
    }
    for (const auto& in : graph_.input()) {
      if (initializers_.count(in.name())) continue;  // IR < 4 lists initializers as inputs too
      const std::string field = "graph input '" + in.name() + "'";
      if (!in.type().has_tensor_type() || !in.type().tensor_type().has_elem_type()) {
        problems.push_back(problem(field, "is not a tensor with an element type"));
        continue;
      }
      const auto elem = in.type().tensor_type().elem_type();
      if (!detail::ir_type(elem)) {
        problems.push_back(problem(field, "has element type " + detail::elem_type_name(elem) +
                                              ", which the IR cannot represent"));
        continue;
      }
      if (!in.type().tensor_type().has_shape()) {
        problems.push_back(problem(field, "has no shape (not even a rank)"));
        continue;
      }
      TypeProto type = in.type();
      auto* shape = type.mutable_tensor_type()->mutable_shape();
      bool ok = true;
      for (int k = 0; k < shape->dim_size(); ++k) {
        auto* d = shape->mutable_dim(k);
        if (d->has_dim_value()) {
          if (d->dim_value() < 1) {
            problems.push_back(
                problem(field, "dimension " + std::to_string(k) + " is " +
                                   std::to_string(d->dim_value()) + (k == 0 ? " (the batch)" : "") +
                                   ": a dimension is a positive number or symbolic (dim_param)"));
            ok = false;
            continue;
          }
          if (k == 0 && d->dim_value() != options_.batch)
            fixed_batch_.push_back("'" + in.name() + "' (" + std::to_string(d->dim_value()) + ")");
          continue;
        }
        const std::string symbol = d->has_dim_param() ? "'" + d->dim_param() + "'" : "unnamed";
        if (k == 0) {
          d->set_dim_value(options_.batch);
        } else if (options_.sequence_length > 0) {
          d->set_dim_value(options_.sequence_length);
        } else {
          problems.push_back(problem(field, "dimension " + std::to_string(k) + " is symbolic (" +
                                                symbol + "): give a sequence length to set it"));
          ok = false;
        }
      }
      if (ok) {
        if (auto dims = static_dims(type); dims && !within_limit(*dims)) {
          problems.push_back(problem(field, "has " + dims_text(*dims) + too_large()));
          ok = false;
        }
      }
      if (ok) set_type(in.name(), std::move(type));
      graph_inputs_.push_back(in.name());
    }
    return problems;
  }

  void set_type(const std::string& name, TypeProto type) {
    auto [it, inserted] = types_.insert_or_assign(name, std::move(type));
    (void)inserted;
    type_ptrs_[name] = &it->second;
  }

  // --- 5. Shape inference node by node, folding constants on the way. ---

  /// The value of a tensor when the folder knows it (folded earlier, or a small inline
  /// initializer).
  const FoldedTensor* value_of(const std::string& name) {
    if (auto it = folded_.find(name); it != folded_.end()) return &it->second;
    const auto init = initializers_.find(name);
    if (init == initializers_.end() || unfoldable_.count(name)) return nullptr;
    auto v = detail::fold_tensor_proto(*init->second);
    if (!v) {
      unfoldable_.insert(name);
      return nullptr;
    }
    return &folded_.emplace(name, std::move(*v)).first->second;
  }

  const Dims* shape_of(const std::string& name) {
    if (auto it = shapes_.find(name); it != shapes_.end()) return &it->second;
    const auto t = types_.find(name);
    if (t == types_.end()) return nullptr;
    auto dims = static_dims(t->second);
    if (!dims) return nullptr;
    return &shapes_.emplace(name, std::move(*dims)).first->second;
  }

  int opset_of(const NodeProto& node) const {
    const auto it = opsets_.find(normal_domain(node.domain()));
    return it == opsets_.end() ? 0 : it->second;
  }

  Status infer_shapes() {
    std::vector<Diagnostic> problems;
    ::onnx::shape_inference::GraphInferenceContext graph_context(
        type_ptrs_, opsets_, nullptr, local_functions_, ::onnx::OpSchemaRegistry::Instance(),
        nullptr, static_cast<int>(model_.ir_version()));
    std::unordered_map<std::string, const ::onnx::ValueInfoProto*> declared;
    for (const auto& vi : graph_.value_info()) declared[vi.name()] = &vi;
    for (const auto& vi : graph_.output()) declared[vi.name()] = &vi;

    for (auto& node : *graph_.mutable_node()) {
      bool inputs_ok = true;
      for (const auto& in : node.input()) inputs_ok &= in.empty() || types_.count(in) > 0;
      if (!inputs_ok) continue;  // an earlier problem; reported once, where it happened
      const int opset = opset_of(node);
      const auto* schema =
          ::onnx::OpSchemaRegistry::Schema(node.op_type(), opset, normal_domain(node.domain()));
      std::vector<TypeProto> outputs(static_cast<std::size_t>(node.output_size()));
      if (schema != nullptr && schema->has_type_and_shape_inference_function()) {
        ::onnx::shape_inference::InferenceContextImpl context(node, type_ptrs_, input_data_, {},
                                                              nullptr, &graph_context);
        try {
          schema->GetTypeAndShapeInferenceFunction()(context);
        } catch (const std::exception& e) {
          problems.push_back(
              problem(node_field(node), std::string("shape inference fails: ") + e.what()));
          continue;
        }
        for (int i = 0; i < node.output_size(); ++i)
          outputs[static_cast<std::size_t>(i)] =
              *context.getOutputType(static_cast<std::size_t>(i));
      } else {
        // No schema (another domain, a model-local function): the model's own value_info when
        // it is static, otherwise the shape and type of the first input.
        for (int i = 0; i < node.output_size(); ++i) {
          const auto it = declared.find(node.output(i));
          if (it != declared.end() && static_dims(it->second->type())) {
            outputs[static_cast<std::size_t>(i)] = it->second->type();
          } else if (node.input_size() > 0 && !node.input(0).empty()) {
            outputs[static_cast<std::size_t>(i)] = types_.at(node.input(0));
            guessed_.insert(node.name());
          }
        }
      }

      // Fold when every input is known; the folded dims fill what inference left open.
      detail::FoldInputs fold_in;
      for (const auto& in : node.input()) {
        fold_in.values.push_back(in.empty() ? nullptr : value_of(in));
        fold_in.shapes.push_back(in.empty() ? nullptr : shape_of(in));
      }
      std::vector<std::optional<Dims>> out_dims;
      for (const auto& t : outputs) out_dims.push_back(static_dims(t));
      for (const auto& d : out_dims) fold_in.output_shapes.push_back(d ? &*d : nullptr);
      if (auto values = detail::fold_node(node, opset, fold_in)) {
        for (std::size_t i = 0; i < values->size() && i < outputs.size(); ++i) {
          auto& v = (*values)[i];
          if (out_dims[i] && *out_dims[i] != v.dims) continue;  // trust inference over the folder
          auto* tt = outputs[i].mutable_tensor_type();
          if (tt->elem_type() == TensorProto::UNDEFINED) tt->set_elem_type(v.elem_type);
          if (tt->elem_type() != v.elem_type) continue;
          outputs[i] = tensor_type(v.elem_type, v.dims);
          const std::string& name = node.output(static_cast<int>(i));
          auto& proto = folded_protos_[name];
          proto = detail::to_tensor_proto(v);
          proto.set_name(name);
          input_data_[name] = &proto;
          folded_[name] = std::move(v);
        }
      }

      for (int i = 0; i < node.output_size(); ++i) {
        const std::string& name = node.output(i);
        if (name.empty()) continue;
        auto& type = outputs[static_cast<std::size_t>(i)];
        const bool typed =
            type.has_tensor_type() && type.tensor_type().elem_type() != TensorProto::UNDEFINED;
        if (!typed || !static_dims(type)) {
          problems.push_back(problem(
              node_field(node), "shape inference leaves output '" + name + "' " +
                                    (typed ? "with shape " + type_shape_text(type) : "untyped") +
                                    ": its shape does not follow from the input shapes"));
          continue;
        }
        if (const auto dims = static_dims(type); !within_limit(*dims)) {
          problems.push_back(problem(node_field(node), "output '" + name + "' has shape " +
                                                           dims_text(*dims) + too_large()));
          continue;
        }
        if (!detail::ir_type(type.tensor_type().elem_type())) {
          problems.push_back(
              problem(node_field(node), "output '" + name + "' has element type " +
                                            detail::elem_type_name(type.tensor_type().elem_type()) +
                                            ", which the IR cannot represent"));
          continue;
        }
        set_type(name, std::move(type));
      }
    }
    return problems;
  }

  // --- 6. The IR graph. ---

  /// Bytes of an external tensor, read from its file next to the model; nothing when the file
  /// is absent (the warning names it), a diagnostic when it is present but unreadable or short.
  std::optional<std::vector<std::byte>> external_bytes(const TensorProto& t,
                                                       const std::string& field,
                                                       std::vector<Diagnostic>& problems) {
    std::string location;
    std::int64_t offset = 0;
    std::int64_t length = -1;
    for (const auto& e : t.external_data()) {
      try {
        if (e.key() == "location") location = e.value();
        if (e.key() == "offset") offset = std::stoll(e.value());
        if (e.key() == "length") length = std::stoll(e.value());
      } catch (const std::exception&) {
        problems.push_back(
            problem(field, "external_data " + e.key() + " '" + e.value() + "' is not a number"));
        return std::nullopt;
      }
    }
    const fs::path file = fs::path(path_).parent_path() / location;
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      ++absent_external_[location];
      return std::nullopt;
    }
    const auto expected = static_cast<std::int64_t>(detail::onnx_width(t.data_type())) *
                          graph::element_count(Dims(t.dims().begin(), t.dims().end()));
    if (length >= 0 && length != expected) {
      problems.push_back(problem(field, "external data length " + std::to_string(length) +
                                            " bytes does not match its dims (" +
                                            std::to_string(expected) + " bytes)"));
      return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    std::string raw(static_cast<std::size_t>(expected), '\0');
    in.seekg(offset);
    in.read(raw.data(), expected);
    if (!in || in.gcount() != expected) {
      problems.push_back(problem(field, "cannot read " + std::to_string(expected) +
                                            " bytes at offset " + std::to_string(offset) + " of '" +
                                            file.string() + "'"));
      return std::nullopt;
    }
    return detail::to_ir_bytes(raw, t.data_type());
  }

  /// Counts an external tensor whose file is absent, for the warning.
  void note_if_absent(const TensorProto& t) {
    for (const auto& e : t.external_data()) {
      if (e.key() != "location") continue;
      std::error_code ec;
      if (!fs::is_regular_file(fs::path(path_).parent_path() / e.value(), ec))
        ++absent_external_[e.value()];
    }
  }

  std::optional<std::vector<std::byte>> tensor_bytes(const TensorProto& t, const std::string& field,
                                                     std::vector<Diagnostic>& problems) {
    if (detail::is_external(t)) return external_bytes(t, field, problems);
    return detail::to_ir_bytes(detail::inline_raw_bytes(t), t.data_type());
  }

  void note_type(std::int32_t elem_type, const std::string& name) {
    const auto type = detail::ir_type(elem_type);
    if (type && !type->exact)
      inexact_types_[detail::elem_type_name(elem_type) + " as " +
                     std::string(graph::dtype_name(type->dtype))]
          .push_back("'" + name + "'");
  }

  Result<graph::Graph> build_graph() {
    std::vector<Diagnostic> problems;
    graph::Graph g;
    g.name = fs::path(path_).stem().string();
    if (g.name.empty()) g.name = graph_.name();

    // Identity of an initializer is an alias of it (torch.onnx writes one per deduplicated
    // initializer); a graph output keeps its Identity.
    std::unordered_set<std::string> graph_outputs;
    for (const auto& out : graph_.output()) graph_outputs.insert(out.name());
    auto canonical = [&](const std::string& name) -> const std::string& {
      const auto it = alias_.find(name);
      return it == alias_.end() ? name : it->second;
    };
    std::unordered_set<const NodeProto*> aliased;
    for (const auto& node : graph_.node()) {
      if (node.op_type() != "Identity" || !normal_domain(node.domain()).empty() ||
          node.input_size() != 1 || graph_outputs.count(node.output(0)))
        continue;
      const std::string& source = canonical(node.input(0));
      if (!initializers_.count(source)) continue;
      alias_[node.output(0)] = source;
      aliased.insert(&node);
    }

    // Which initializers some node reads as data (parameters) rather than as an argument.
    std::unordered_map<std::string, bool> read_as_data;
    for (const auto& node : graph_.node()) {
      if (aliased.count(&node)) continue;
      for (int i = 0; i < node.input_size(); ++i) {
        const std::string& name = canonical(node.input(i));
        if (name.empty() || !initializers_.count(name)) continue;
        read_as_data[name] = read_as_data[name] || detail::is_data_input(node.op_type(), i);
      }
    }
    for (const auto& out : graph_.output())
      if (initializers_.count(canonical(out.name())))
        read_as_data.try_emplace(canonical(out.name()), true);

    std::unordered_map<std::string, TensorId> ids;
    // Nodes keep their (already unique) names; constant initializers get a suffix on a clash.
    std::unordered_set<std::string> op_names;
    for (const auto& node : graph_.node()) op_names.insert(node.name());
    auto unique_op_name = [&](const std::string& name) {
      std::string unique = name;
      for (int k = 1; op_names.count(unique); ++k) unique = name + "_" + std::to_string(k);
      op_names.insert(unique);
      return unique;
    };
    auto new_tensor = [&](const std::string& name, std::int32_t elem_type, Dims dims) {
      graph::Tensor t;
      t.name = name;
      t.shape = std::move(dims);
      t.dtype = detail::ir_type(elem_type)->dtype;
      note_type(elem_type, name);
      const TensorId id = g.add_tensor(std::move(t));
      ids[name] = id;
      return id;
    };

    for (const auto& name : graph_inputs_) {
      const auto& type = types_.at(name);
      g.mark_input(new_tensor(name, type.tensor_type().elem_type(), *static_dims(type)));
    }

    // Initializers: weights, or constants produced by a kConstant operator.
    for (const auto& t : graph_.initializer()) {
      const auto used = read_as_data.find(t.name());
      if (used == read_as_data.end()) continue;  // read by no node
      const Dims dims(t.dims().begin(), t.dims().end());
      const bool weight =
          used->second && detail::is_floating(t.data_type()) && graph::element_count(dims) > 1;
      const TensorId id = new_tensor(t.name(), t.data_type(), dims);
      auto& tensor = g.tensor(id);
      tensor.is_weight = weight;
      if (!weight || options_.read_weight_data)
        tensor.data = tensor_bytes(t, initializer_field(t.name()), problems);
      else if (detail::is_external(t))
        note_if_absent(t);  // shapes suffice, but the documented warning still names the file
      if (!weight) {
        graph::Op op;
        op.name = unique_op_name(t.name());
        op.kind = OpKind::kConstant;
        op.outputs = {id};
        op.attrs.extra["initializer"].text = t.name();
        g.add_op(std::move(op));
      }
    }

    for (const auto& node : graph_.node()) {
      if (aliased.count(&node)) continue;
      const int opset = opset_of(node);
      detail::NodeOperands operands;
      operands.opset = opset;
      graph::Op op;
      op.name = node.name();
      for (const auto& in : node.input()) {
        const std::string& name = in.empty() ? in : canonical(in);
        operands.input_shapes.push_back(name.empty() ? nullptr : shape_of(name));
        operands.input_values.push_back(name.empty() ? nullptr : value_of(name));
        if (!name.empty()) op.inputs.push_back(ids.at(name));
      }
      bool all_folded = node.output_size() > 0;
      for (const auto& out : node.output()) {
        if (out.empty()) {
          operands.output_shapes.push_back(nullptr);
          continue;
        }
        operands.output_shapes.push_back(shape_of(out));
        all_folded &= folded_.count(out) > 0;
        const auto& type = types_.at(out);
        const TensorId id = new_tensor(out, type.tensor_type().elem_type(), *static_dims(type));
        if (const auto it = folded_.find(out); it != folded_.end())
          g.tensor(id).data = detail::folded_ir_bytes(it->second, g.tensor(id).dtype);
        op.outputs.push_back(id);
      }
      if (node.op_type() == "Constant" && normal_domain(node.domain()).empty() &&
          node.attribute_size() == 1 && node.attribute(0).has_t() && !op.outputs.empty() &&
          !g.tensor(op.outputs[0]).data) {
        // A Constant too large to fold (a mask, a lookup table): its bytes, when present.
        g.tensor(op.outputs[0]).data =
            tensor_bytes(node.attribute(0).t(), node_field(node), problems);
      }

      auto kind = detail::onnx_op_kind(node);
      if (!kind) {
        if (all_folded) {
          kind = OpKind::kConstant;  // computed at import from shapes and constants
        } else {
          kind = OpKind::kGeneric;
          generic_[node.domain().empty() ? node.op_type() : node.domain() + "." + node.op_type()]
              .push_back("'" + node.name() + "'");
        }
      }
      if (*kind == OpKind::kGather && op.inputs.size() == 2 && g.tensor(op.inputs[0]).is_weight) {
        const auto ids_type = g.tensor(op.inputs[1]).dtype;
        if (ids_type == graph::DType::kInt64 || ids_type == graph::DType::kInt32)
          kind = OpKind::kEmbedding;
      }
      op.kind = *kind;
      op.attrs = detail::onnx_op_attributes(node, *kind, operands);
      // Omitted optional inputs ("") are not in op.inputs; their positions are kept so that
      // Clip(x, "", max) is not read as Clip(x, max).
      if (static_cast<int>(op.inputs.size()) != node.input_size()) {
        auto& slots = op.attrs.extra["input_slots"].ints;
        for (int i = 0; i < node.input_size(); ++i)
          if (!node.input(i).empty()) slots.push_back(i);
      }
      g.add_op(std::move(op));
    }
    for (const auto& out : graph_.output()) g.mark_output(ids.at(canonical(out.name())));
    std::int64_t total_flops = 0;
    for (const auto& op : g.ops())
      total_flops = graph::saturating_add(total_flops, g.work(op).flops);
    if (total_flops > graph::kMaxModelFlops)
      problems.push_back(problem("model", "needs more than 2^60 FLOPs per inference (" +
                                              std::to_string(total_flops) +
                                              "); Tessera's limit is 2^60"));
    if (!problems.empty()) return problems;
    return g;
  }

  std::vector<std::string> collect_warnings() const {
    std::vector<std::string> out;
    if (!generic_.empty()) {
      std::size_t count = 0;
      std::string list;
      for (const auto& [type, nodes] : generic_) {
        count += nodes.size();
        list += (list.empty() ? "" : "; ") + type + " x" + std::to_string(nodes.size()) + " (" +
                join(nodes) + ")";
      }
      std::string text = std::to_string(count) + " operator" + (count == 1 ? "" : "s") +
                         " of types Tessera does not model imported as generic operators, costed "
                         "from their tensor sizes: " +
                         list;
      if (!guessed_.empty()) {
        std::vector<std::string> names;
        for (const auto& n : guessed_) names.push_back("'" + n + "'");
        text += "; ONNX has no shape inference for " + join(names) +
                ", whose outputs take the shape and type of their first input";
      }
      out.push_back(std::move(text));
    }
    if (!absent_external_.empty()) {
      std::string list;
      std::size_t count = 0;
      for (const auto& [file, n] : absent_external_) {
        count += n;
        list += (list.empty() ? "'" : ", '") + file + "' (" + std::to_string(n) + ")";
      }
      out.push_back("the data of " + std::to_string(count) + " tensor" + (count == 1 ? "" : "s") +
                    " is stored in external files that are absent: " + list +
                    "; they are imported with their shapes only");
    }
    if (!fixed_batch_.empty())
      out.push_back("graph inputs with a fixed first dimension keep it; the batch " +
                    std::to_string(options_.batch) + " asked for does not apply to " +
                    join(fixed_batch_));
    for (const auto& [conversion, names] : inexact_types_)
      out.push_back("tensors of element type " + conversion + ": " + join(names));
    return out;
  }

  ::onnx::ModelProto& model_;
  ::onnx::GraphProto& graph_;
  std::string path_;
  OnnxImportOptions options_;
  std::unordered_map<std::string, int> opsets_;
  std::unordered_map<std::string, const TensorProto*> initializers_;
  std::vector<std::string> graph_inputs_;
  std::unordered_map<std::string, TypeProto> types_;
  std::unordered_map<std::string, TypeProto*> type_ptrs_;
  std::unordered_map<std::string, Dims> shapes_;
  std::unordered_map<std::string, const TensorProto*> input_data_;
  std::unordered_map<std::string, FoldedTensor> folded_;
  std::unordered_map<std::string, TensorProto> folded_protos_;
  std::unordered_set<std::string> unfoldable_;
  std::unordered_map<std::string, std::string> alias_;
  ::onnx::shape_inference::ModelLocalFunctionsMap local_functions_;
  std::set<std::string> guessed_;
  std::map<std::string, std::vector<std::string>> generic_;
  std::map<std::string, std::size_t> absent_external_;
  std::vector<std::string> fixed_batch_;
  std::map<std::string, std::vector<std::string>> inexact_types_;
};

}  // namespace

Result<OnnxImport> import_onnx(const std::string& path, const OnnxImportOptions& options) {
  // Protobuf's own limit: a serialized model is under 2 GiB.
  auto bytes = read_text_file(path, std::uintmax_t{2} << 30);
  if (!bytes.ok()) return bytes.diagnostics();
  return import_onnx_bytes(bytes.value(), path, options);
}

Result<OnnxImport> import_onnx_bytes(std::string_view bytes, const std::string& path,
                                     const OnnxImportOptions& options) {
  std::vector<Diagnostic> problems;
  if (options.batch < 1)
    problems.push_back(
        {path, 0, 0, "batch", "must be at least 1, got " + std::to_string(options.batch)});
  if (options.sequence_length < 0)
    problems.push_back(
        {path, 0, 0, "sequence_length",
         "must be 0 (none given) or positive, got " + std::to_string(options.sequence_length)});
  if (bytes.empty())
    problems.push_back({path, 0, 0, "file", "is empty (0 bytes), expected an ONNX model"});
  else if (!plausible_first_tag(static_cast<unsigned char>(bytes[0])))
    problems.push_back({path, 0, 0, "file",
                        "does not start like an ONNX model: first byte " +
                            hex_byte(static_cast<unsigned char>(bytes[0])) +
                            " is not the tag of a ModelProto field (wrong file type?)"});
  if (!problems.empty()) return problems;
  // Bounded before protobuf allocates a message per element (docs/formats.md, "Limits").
  if (const auto counts = count_on_the_wire(bytes)) {
    auto limit = [&](std::int64_t n, const char* field, const char* what) {
      if (n > kMaxOnnxGraphElements)
        problems.push_back({path, 0, 0, field,
                            "the model has " + std::to_string(n) + " " + what +
                                "; Tessera's limit is " + std::to_string(kMaxOnnxGraphElements)});
    };
    limit(counts->nodes, "graph.node", "nodes (graph and local functions)");
    limit(counts->initializers, "graph.initializer", "initializers");
    limit(counts->values, "graph.value_info", "graph inputs, outputs and value_info entries");
    if (!problems.empty()) return problems;
  }
  ::onnx::ModelProto model;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Diagnostic{path, 0, 0, "file",
                      "is not a valid ONNX protobuf (" + std::to_string(bytes.size()) +
                          " bytes): truncated or corrupt"};
  return Importer(model, path, options).run();
}

}  // namespace tessera::onnx
