// Shape computations exporters write (windowed-attention vision transformers compute their Pad
// amounts through Mod and Transpose): each operator ONNX defines for them is folded, so the
// Reshape that consumes the result has a static shape. One operator per test: the computed
// tensor is the Reshape target [6, 4] of 24 values.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tessera/onnx/onnx_import.hpp"
#include "unit/onnx/onnx_model_builder.hpp"

namespace tessera::onnx {
namespace {

using ::onnx::TensorProto;
using onnx_testing::OnnxModelBuilder;
using onnx_testing::scratch_dir;
using onnx_testing::set_attribute;

/// `compute` adds nodes producing the int64 tensor "target"; Reshape(x, target) -> y.
std::string reshaped(const std::function<void(OnnxModelBuilder&)>& compute,
                     std::int64_t opset = 13) {
  OnnxModelBuilder b(opset);
  b.input("x", TensorProto::FLOAT, {"24"}).output("y");
  compute(b);
  b.node("Reshape", {"x", "target"}, {"y"}, "reshape");
  auto imported = import_onnx_bytes(b.bytes(), "fold.onnx");
  if (!imported.ok()) return imported.error_text();
  for (const auto& t : imported->graph.tensors())
    if (t.name == "y") return graph::shape_to_string(t.shape);
  return "(no y)";
}

TEST(OnnxFoldOps, Mod) {
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("a", TensorProto::INT64, {2}, {13, -11});
              b.constant("m", TensorProto::INT64, {2}, {7, 5});
              b.node("Mod", {"a", "m"}, {"target"});  // Python's %: -11 mod 5 = 4
            }),
            "6x4");
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("a", TensorProto::INT64, {2}, {13, 14});
              b.constant("m", TensorProto::INT64, {2}, {7, -5});
              set_attribute(b.node("Mod", {"a", "m"}, {"target"}), "fmod", std::int64_t{1});
            }),
            "6x4");  // C's fmod: 14 fmod -5 = 4
}

TEST(OnnxFoldOps, Transpose) {
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("m", TensorProto::INT64, {2, 2}, {6, 9, 4, 9});
              b.node("Transpose", {"m"}, {"t"});  // [[6, 4], [9, 9]]
              b.constant("zero", TensorProto::INT64, {}, {0});
              b.node("Gather", {"t", "zero"}, {"target"});
            }),
            "6x4");
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("m", TensorProto::INT64, {1, 2, 1}, {6, 4});
              set_attribute(b.node("Transpose", {"m"}, {"t"}), "perm",
                            std::vector<std::int64_t>{2, 0, 1});
              b.constant("shape", TensorProto::INT64, {1}, {2});
              b.node("Reshape", {"t", "shape"}, {"target"});
            }),
            "6x4");
}

TEST(OnnxFoldOps, Range) {
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("start", TensorProto::INT64, {}, {6});
              b.constant("limit", TensorProto::INT64, {}, {2});
              b.constant("delta", TensorProto::INT64, {}, {-2});
              b.node("Range", {"start", "limit", "delta"}, {"target"});
            }),
            "6x4");
}

TEST(OnnxFoldOps, MinAndMax) {
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("a", TensorProto::INT64, {2}, {6, 9});
              b.constant("c", TensorProto::INT64, {2}, {7, 4});
              b.node("Min", {"a", "c"}, {"target"});
            }),
            "6x4");
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("a", TensorProto::INT64, {2}, {1, 4});
              b.constant("c", TensorProto::INT64, {2}, {6, 2});
              b.constant("d", TensorProto::INT64, {2}, {0, 3});
              b.node("Max", {"a", "c", "d"}, {"target"});
            }),
            "6x4");
}

TEST(OnnxFoldOps, NegAndAbs) {
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("a", TensorProto::INT64, {2}, {-6, -4});
              b.node("Neg", {"a"}, {"target"});
            }),
            "6x4");
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("a", TensorProto::INT64, {2}, {-6, 4});
              b.node("Abs", {"a"}, {"target"});
            }),
            "6x4");
}

TEST(OnnxFoldOps, FloorAndCeil) {
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("a", TensorProto::FLOAT, {2}, {6.7, 4.2});
              b.node("Floor", {"a"}, {"f"});
              set_attribute(b.node("Cast", {"f"}, {"target"}), "to",
                            std::int64_t{TensorProto::INT64});
            }),
            "6x4");
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("a", TensorProto::FLOAT, {2}, {5.1, 3.5});
              b.node("Ceil", {"a"}, {"f"});
              set_attribute(b.node("Cast", {"f"}, {"target"}), "to",
                            std::int64_t{TensorProto::INT64});
            }),
            "6x4");
}

TEST(OnnxFoldOps, EqualAndWhere) {
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("a", TensorProto::INT64, {2}, {1, 2});
              b.constant("c", TensorProto::INT64, {2}, {1, 3});
              b.node("Equal", {"a", "c"}, {"same"});
              b.constant("yes", TensorProto::INT64, {2}, {6, 0});
              b.constant("no", TensorProto::INT64, {2}, {9, 4});
              b.node("Where", {"same", "yes", "no"}, {"target"});
            }),
            "6x4");
}

TEST(OnnxFoldOps, ConstantOfShape) {
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("n", TensorProto::INT64, {1}, {2});
              auto& fill = b.node("ConstantOfShape", {"n"}, {"ones"});
              ::onnx::TensorProto one;
              one.set_data_type(TensorProto::INT64);
              one.add_dims(1);
              one.add_int64_data(1);
              set_attribute(fill, "value", one);
              b.constant("scale", TensorProto::INT64, {2}, {6, 4});
              b.node("Mul", {"ones", "scale"}, {"target"});
            }),
            "6x4");
}

TEST(OnnxFoldOps, Expand) {
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("row", TensorProto::INT64, {1, 2}, {6, 4});
              b.constant("to", TensorProto::INT64, {2}, {3, 2});
              b.node("Expand", {"row", "to"}, {"rows"});
              b.constant("two", TensorProto::INT64, {}, {2});
              b.node("Gather", {"rows", "two"}, {"target"});
            }),
            "6x4");
}

TEST(OnnxFoldOps, Tile) {
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("row", TensorProto::INT64, {1, 2}, {6, 4});
              b.constant("repeats", TensorProto::INT64, {2}, {2, 1});
              b.node("Tile", {"row", "repeats"}, {"rows"});
              b.constant("one", TensorProto::INT64, {}, {1});
              b.node("Gather", {"rows", "one"}, {"target"});
            }),
            "6x4");
}

TEST(OnnxFoldOps, Sign) {
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("a", TensorProto::INT64, {2}, {6, 4});
              b.constant("s", TensorProto::INT64, {2}, {-3, 0});
              b.node("Sign", {"s"}, {"sign"});  // [-1, 0]
              b.node("Add", {"sign", "a"}, {"t"});
              b.constant("one", TensorProto::INT64, {2}, {1, 0});
              b.node("Add", {"t", "one"}, {"target"});
            }),
            "6x4");
}

TEST(OnnxFoldOps, ReductionsWithAxesAsAttributeAndAsInput) {
  // ReduceProd of a shape (the number of elements per row), keepdims 0, axes as an attribute
  // (opset 13) ...
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("hw", TensorProto::INT64, {2, 2}, {2, 3, 2, 2});
              auto& prod = b.node("ReduceProd", {"hw"}, {"p"});  // [6, 4]
              set_attribute(prod, "axes", std::vector<std::int64_t>{1});
              set_attribute(prod, "keepdims", std::int64_t{0});
              b.node("Identity", {"p"}, {"target"});
            }),
            "6x4");
  // ... ReduceSum with axes as an input (opset 13), keepdims 1 then Squeeze away.
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("parts", TensorProto::INT64, {2, 2}, {2, 1, 4, 3});
              b.constant("axes", TensorProto::INT64, {1}, {0});
              b.node("ReduceSum", {"parts", "axes"}, {"s"});  // [[6, 4]]
              b.constant("zero", TensorProto::INT64, {1}, {0});
              b.node("Squeeze", {"s", "zero"}, {"target"});
            }),
            "6x4");
  // ReduceMax and ReduceMin over every axis give a scalar each.
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("v", TensorProto::INT64, {3}, {4, 6, 5});
              auto& mx = b.node("ReduceMax", {"v"}, {"hi"});
              set_attribute(mx, "keepdims", std::int64_t{1});  // [6]
              auto& mn = b.node("ReduceMin", {"v"}, {"lo"});
              set_attribute(mn, "keepdims", std::int64_t{1});  // [4]
              auto& cat = b.node("Concat", {"hi", "lo"}, {"target"});
              set_attribute(cat, "axis", std::int64_t{0});
            }),
            "6x4");
}

TEST(OnnxFoldOps, Clip) {
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("a", TensorProto::INT64, {2}, {9, 1});
              b.constant("lo", TensorProto::INT64, {}, {4});
              b.constant("hi", TensorProto::INT64, {}, {6});
              b.node("Clip", {"a", "lo", "hi"}, {"target"});
            }),
            "6x4");
}

TEST(OnnxFoldOps, SplitWithSizesAsInputAsAttributeAndEqual) {
  // Sizes as an input (opset 13): [9, 6, 4, 7] -> [9], [6, 4], [7].
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("v", TensorProto::INT64, {4}, {9, 6, 4, 7});
              b.constant("sizes", TensorProto::INT64, {3}, {1, 2, 1});
              b.node("Split", {"v", "sizes"}, {"head", "target", "tail"});
            }),
            "6x4");
  // Sizes as the `split` attribute (opset 11), along axis 1 of a 2x3 matrix.
  EXPECT_EQ(reshaped(
                [](OnnxModelBuilder& b) {
                  b.constant("m", TensorProto::INT64, {2, 3}, {1, 6, 4, 2, 3, 5});
                  auto& split = b.node("Split", {"m"}, {"first", "rest"});
                  set_attribute(split, "axis", std::int64_t{1});
                  set_attribute(split, "split", std::vector<std::int64_t>{1, 2});
                  b.constant("zero", TensorProto::INT64, {}, {0});
                  b.node("Gather", {"rest", "zero"}, {"target"});  // [6, 4]
                },
                11),
            "6x4");
  // Equal pieces, one per output (no sizes anywhere).
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("v", TensorProto::INT64, {4}, {6, 4, 3, 8});
              b.node("Split", {"v"}, {"target", "other"});
            }),
            "6x4");
}

TEST(OnnxFoldOps, CumSum) {
  // Inclusive, then exclusive and reversed.
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("v", TensorProto::INT64, {2}, {6, -2});
              b.constant("axis", TensorProto::INT64, {}, {0});
              b.node("CumSum", {"v", "axis"}, {"target"});  // [6, 4]
            }),
            "6x4");
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("v", TensorProto::INT64, {3}, {2, 4, 9});
              b.constant("axis", TensorProto::INT64, {}, {-1});
              auto& cs = b.node("CumSum", {"v", "axis"}, {"sums"});  // [13, 9, 0]
              set_attribute(cs, "exclusive", std::int64_t{1});
              set_attribute(cs, "reverse", std::int64_t{1});
              b.constant("less", TensorProto::INT64, {3}, {7, 5, 0});
              b.node("Sub", {"sums", "less"}, {"diff"});  // [6, 4, 0]
              b.constant("two", TensorProto::INT64, {1}, {2});
              b.constant("zero", TensorProto::INT64, {1}, {0});
              b.node("Slice", {"diff", "zero", "two"}, {"target"});
            }),
            "6x4");
}

TEST(OnnxFoldOps, NonZero) {
  // The positions of the non-zero entries of [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1] are 6 and 10;
  // minus [0, 6] gives [6, 4].
  EXPECT_EQ(reshaped([](OnnxModelBuilder& b) {
              b.constant("mask", TensorProto::INT64, {11}, {0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1});
              b.node("NonZero", {"mask"}, {"at"});  // [[6, 10]]
              b.constant("zero", TensorProto::INT64, {1}, {0});
              b.node("Squeeze", {"at", "zero"}, {"pos"});
              b.constant("off", TensorProto::INT64, {2}, {0, 6});
              b.node("Sub", {"pos", "off"}, {"target"});
            }),
            "6x4");
}

TEST(OnnxFoldOps, WindowedAttentionPadAmounts) {
  // Swin-style: pad = (window - H mod window) mod window from Shape(x), arranged through a
  // Transpose into Pad's [begins..., ends...]: a 5x6 map padded to 8x8 for 4x4 windows.
  OnnxModelBuilder b;
  b.input("x", TensorProto::FLOAT, {"1", "5", "6"}).output("y");
  b.node("Shape", {"x"}, {"s"});
  b.constant("hw_idx", TensorProto::INT64, {2}, {1, 2});
  b.node("Gather", {"s", "hw_idx"}, {"hw"});
  b.constant("window", TensorProto::INT64, {}, {4});
  b.node("Mod", {"hw", "window"}, {"r"});
  b.node("Sub", {"window", "r"}, {"w_minus_r"});
  b.node("Mod", {"w_minus_r", "window"}, {"pad_hw"});  // [3, 2]
  b.constant("col", TensorProto::INT64, {2}, {2, 1});
  b.node("Reshape", {"pad_hw", "col"}, {"pad_col"});
  b.node("Transpose", {"pad_col"}, {"pad_row"});  // [[3, 2]]
  b.constant("flat", TensorProto::INT64, {1}, {2});
  b.node("Reshape", {"pad_row", "flat"}, {"pad_end"});
  b.constant("begins", TensorProto::INT64, {4}, {0, 0, 0, 0});
  set_attribute(b.node("Concat", {"begins", "pad_end"}, {"pads"}), "axis", std::int64_t{0});
  b.node("Pad", {"x", "pads"}, {"y"}, "pad");
  auto imported = import_onnx_bytes(b.bytes(), "swin_pad.onnx");
  ASSERT_TRUE(imported.ok()) << imported.error_text();
  for (const auto& t : imported->graph.tensors())
    if (t.name == "y") {
      EXPECT_EQ(t.shape, (graph::Shape{1, 8, 8}));
    }
}

TEST(OnnxFoldOps, OverflowingIntegerArithmeticIsNotFolded) {
  // 5e18 + 5e18 overflows int64 (undefined behaviour); the value stays unknown and the Reshape that
  // needs it is reported, not given a wrapped shape.
  const std::string e = reshaped([](OnnxModelBuilder& b) {
    b.constant("a", TensorProto::INT64, {2}, {5e18, 4});
    b.constant("c", TensorProto::INT64, {2}, {5e18, 0});
    b.node("Add", {"a", "c"}, {"target"});
  });
  EXPECT_NE(e.find("shape does not follow from the input shapes"), std::string::npos) << e;
}

}  // namespace
}  // namespace tessera::onnx
