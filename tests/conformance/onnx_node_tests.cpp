// ONNX's backend conformance data (Debian libonnx-testdata): every node test whose operators
// the executor claims runs through import and the executor, and its outputs are compared with
// the expected ones at the tolerances of ONNX's backend test runner
// (onnx/backend/test/runner: numpy.testing.assert_allclose with rtol=1e-3, atol=1e-7).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "tessera/graph/op.hpp"
#include "tessera/onnx/onnx_import.hpp"
#include "tessera/onnx/tensor_file.hpp"
#include "tessera/runtime/executor.hpp"

namespace {

namespace fs = std::filesystem;
using tessera::DType;
using tessera::runtime::HostTensor;

constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-7;
const fs::path kData = "/usr/share/libonnx-testdata/data";

struct Tally {
  int claimed = 0;  ///< tests whose operators are all claimed
  int passed = 0;
  std::vector<std::string> not_fp32;     ///< a claimed op on float16/double/string/... data
  std::vector<std::string> unsupported;  ///< a claimed op with an attribute or case not run
  std::vector<std::string> failed;
  std::vector<std::string> import_refused;  ///< models the importer refuses (any operators)
  std::map<std::string, std::pair<int, int>> per_op;
  std::vector<std::string> bound;  ///< passed with int64 shape arguments bound from the data  ///<
                                   ///< op -> (passed, claimed tests using it)
};

std::string onnx_type(const tessera::graph::Op& op) {
  using tessera::graph::OpKind;
  if (op.kind == OpKind::kEmbedding) return "Gather";
  if (op.kind == OpKind::kBatchNorm) return "BatchNormalization";
  if (op.kind == OpKind::kLayerNorm) return "LayerNormalization";
  if (op.kind == OpKind::kConstant) return "Constant";  // folded at import
  if (op.kind == OpKind::kGeneric) return op.attrs.mode;
  return std::string(tessera::graph::op_kind_name(op.kind));
}

std::vector<fs::path> numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<std::pair<int, fs::path>> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && e.path().extension() == ".pb")
      files.push_back({std::stoi(name.substr(prefix.size())), e.path()});
  }
  std::sort(files.begin(), files.end());
  std::vector<fs::path> out;
  for (auto& f : files) out.push_back(f.second);
  return out;
}

/// Empty when `got` matches `want`; otherwise the first mismatch.
std::string compare(const HostTensor& got, const tessera::onnx::TensorFile& want) {
  if (got.shape != want.shape && got.elements() != tessera::graph::element_count(want.shape))
    return "shape " + tessera::graph::shape_to_string(got.shape) + " vs expected " +
           tessera::graph::shape_to_string(want.shape);
  if (got.dtype != want.dtype) return "element type differs";
  const std::int64_t n = got.elements();
  for (std::int64_t i = 0; i < n; ++i) {
    double a = 0, b = 0;
    switch (got.dtype) {
      case DType::kFloat32: {
        float w = 0;
        std::memcpy(&w, want.data.data() + i * 4, 4);
        a = got.as<float>()[i];
        b = w;
        if (std::isnan(a) && std::isnan(b)) continue;
        break;
      }
      case DType::kInt64: {
        std::int64_t w = 0;
        std::memcpy(&w, want.data.data() + i * 8, 8);
        if (got.as<std::int64_t>()[i] != w) return "element " + std::to_string(i) + " differs";
        continue;
      }
      default:
        if (std::memcmp(got.data.data(), want.data.data(), got.data.size()) != 0)
          return "bytes differ";
        return {};
    }
    if (!(std::abs(a - b) <= kAtol + kRtol * std::abs(b)))
      return "element " + std::to_string(i) + ": " + std::to_string(a) + " vs expected " +
             std::to_string(b);
  }
  return {};
}

/// The model of a test, imported. Tessera plans and runs static shapes: where the import fails
/// because an int64 graph input (starts, ends, axes, shape, pads, repeats) decides output
/// shapes, that input is bound as an initializer holding the test data set's value (the model
/// is otherwise unchanged) and `bound` lists the positions of the inputs bound.
struct Imported {
  tessera::graph::Graph graph;
  std::vector<std::size_t> bound;
};

tessera::Result<Imported> import_case(const fs::path& dir, const fs::path* set) {
  const fs::path model = dir / "model.onnx";
  if (set == nullptr) {
    auto plain = tessera::onnx::import_onnx(model.string());
    if (!plain.ok()) return plain.diagnostics();
    return Imported{std::move(plain->graph), {}};
  }
  std::ifstream in(model, std::ios::binary);
  ::onnx::ModelProto proto;
  if (!proto.ParseFromIstream(&in))
    return tessera::Diagnostic{model.string(), 0, 0, "file", "not a ModelProto"};
  std::set<std::string> initializers;
  for (const auto& t : proto.graph().initializer()) initializers.insert(t.name());
  const auto files = numbered(*set, "input_");
  Imported out;
  auto* inputs = proto.mutable_graph()->mutable_input();
  std::size_t position = 0;
  for (int i = 0; i < inputs->size();) {
    const auto& input = inputs->Get(i);
    if (initializers.count(input.name())) {
      ++i;
      continue;
    }
    if (input.type().tensor_type().elem_type() == ::onnx::TensorProto::INT64 &&
        position < files.size()) {
      std::ifstream f(files[position], std::ios::binary);
      ::onnx::TensorProto value;
      if (value.ParseFromIstream(&f)) {
        value.set_name(input.name());
        *proto.mutable_graph()->add_initializer() = value;
        out.bound.push_back(position);
        inputs->DeleteSubrange(i, 1);
        ++position;
        continue;
      }
    }
    ++i;
    ++position;
  }
  std::string bytes;
  proto.SerializeToString(&bytes);
  auto imported = tessera::onnx::import_onnx_bytes(bytes, model.string());
  if (!imported.ok()) return imported.diagnostics();
  out.graph = std::move(imported->graph);
  return out;
}

/// Empty when the executor matches the test data set `set`; otherwise what went wrong.
std::string run_set(tessera::runtime::Executor& executor, const fs::path& set,
                    const std::vector<std::size_t>& bound) {
  std::vector<HostTensor> inputs;
  const auto& specs = executor.input_specs();
  const auto files = numbered(set, "input_");
  for (std::size_t i = 0, k = 0; i < files.size() && k < specs.size(); ++i) {
    if (std::find(bound.begin(), bound.end(), i) != bound.end()) continue;
    auto t = tessera::onnx::read_tensor_file(files[i].string());
    HostTensor h;
    h.name = specs[k++].name;
    h.shape = t->shape;
    h.dtype = t->dtype;
    h.data = t->data;
    inputs.push_back(std::move(h));
  }
  auto outputs = executor.run(inputs);
  if (!outputs.ok()) return outputs.error_text();
  const auto expected = numbered(set, "output_");
  for (std::size_t i = 0; i < expected.size() && i < outputs->size(); ++i) {
    auto want = tessera::onnx::read_tensor_file(expected[i].string());
    if (auto diff = compare((*outputs)[i], *want); !diff.empty())
      return "output " + std::to_string(i) + ": " + diff;
  }
  return {};
}

void run_case(const fs::path& dir, Tally& tally, const std::set<std::string>& claimed) {
  const std::string name = dir.filename().string();
  if (!fs::exists(dir / "model.onnx")) return;
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  auto imported = import_case(dir, nullptr);
  const bool bind = !imported.ok() && !sets.empty();
  if (bind) imported = import_case(dir, &sets[0]);
  if (!imported.ok()) {
    tally.import_refused.push_back(name + ": " + imported.diagnostics().front().message);
    return;
  }
  std::set<std::string> ops;
  for (const auto& op : imported->graph.ops()) ops.insert(onnx_type(op));
  for (const auto& op : ops)
    if (!claimed.count(op)) return;
  ++tally.claimed;
  for (const auto& op : ops) ++tally.per_op[op].second;

  // fp32 cases: every tensor of the test data is float32, int64, int32 or bool.
  for (const auto& set : sets)
    for (const auto& prefix : {"input_", "output_"})
      for (const auto& f : numbered(set, prefix)) {
        auto t = tessera::onnx::read_tensor_file(f.string());
        if (!t.ok() || !t->exact ||
            (t->dtype != DType::kFloat32 && t->dtype != DType::kInt64 &&
             t->dtype != DType::kInt32 && t->dtype != DType::kBool)) {
          tally.not_fp32.push_back(name);
          return;
        }
      }

  std::optional<tessera::runtime::Executor> shared;
  for (const auto& set : sets) {
    if (bind && &set != &sets[0]) imported = import_case(dir, &set);
    if (!imported.ok()) {
      tally.import_refused.push_back(name + ": " + imported.diagnostics().front().message);
      return;
    }
    if (!shared || bind) {
      auto executor = tessera::runtime::Executor::create(imported->graph);
      if (!executor.ok()) {
        tally.unsupported.push_back(name + ": " + executor.diagnostics().front().field + ": " +
                                    executor.diagnostics().front().message);
        return;
      }
      shared.emplace(std::move(executor).value());
    }
    if (auto error = run_set(*shared, set, imported->bound); !error.empty()) {
      tally.failed.push_back(name + ": " + error);
      return;
    }
  }
  ++tally.passed;
  if (bind) tally.bound.push_back(name);
  for (const auto& op : ops) ++tally.per_op[op].first;
}

void run_suite(const std::string& suite) {
  const fs::path root = kData / suite;
  if (!fs::is_directory(root))
    GTEST_SKIP() << root << " is absent: install Debian's libonnx-testdata "
                 << "(scripts/install-deps.sh) to run ONNX's conformance tests";
  const auto& ops = tessera::runtime::supported_onnx_ops();
  const std::set<std::string> claimed(ops.begin(), ops.end());
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory()) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  Tally tally;
  for (const auto& dir : dirs) run_case(dir, tally, claimed);
  std::ostringstream report;
  report << suite << ": " << dirs.size() << " tests, " << tally.claimed << " of claimed operators, "
         << tally.passed << " passed, " << tally.failed.size() << " failed, "
         << tally.unsupported.size() << " refused (unsupported attribute or case), "
         << tally.not_fp32.size() << " not fp32; " << tally.bound.size()
         << " of the passed ran with int64 shape arguments bound from the test data\n";
  report << "  per operator (passed/claimed):";
  for (const auto& [op, counts] : tally.per_op)
    report << " " << op << " " << counts.first << "/" << counts.second;
  report << "\n";
  for (const auto& s : tally.unsupported) report << "  refused: " << s << "\n";
  for (const auto& s : tally.not_fp32) report << "  not fp32: " << s << "\n";
  for (const auto& s : tally.import_refused) report << "  import refused: " << s << "\n";
  std::cout << report.str();
  for (const auto& f : tally.failed) ADD_FAILURE() << suite << ": " << f;
  // The cases refused are training-only features (BatchNormalization's running statistics,
  // Dropout with training_mode), MaxPool's Indices output and integer arithmetic; any other
  // refusal of a claimed operator is a failure.
  for (const auto& s : tally.unsupported)
    EXPECT_TRUE(s.find("training") != std::string::npos ||
                s.find("output Indices") != std::string::npos ||
                s.find("runs float32 only") != std::string::npos)
        << suite << ": " << s;
  EXPECT_EQ(tally.passed + static_cast<int>(tally.failed.size()) +
                static_cast<int>(tally.unsupported.size()) +
                static_cast<int>(tally.not_fp32.size()),
            tally.claimed);
  EXPECT_GT(tally.passed, 0);
}

TEST(OnnxConformance, NodeTestsOfClaimedOperatorsPass) {
  run_suite("node");
}
TEST(OnnxConformance, PytorchConvertedTestsOfClaimedOperatorsPass) {
  run_suite("pytorch-converted");
}
TEST(OnnxConformance, PytorchOperatorTestsOfClaimedOperatorsPass) {
  run_suite("pytorch-operator");
}

}  // namespace
