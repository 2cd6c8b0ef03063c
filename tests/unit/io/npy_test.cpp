#include "tessera/io/npy.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace tessera::io {
namespace {

NpyArray floats(graph::Shape shape) {
  NpyArray a;
  a.shape = std::move(shape);
  a.dtype = DType::kFloat32;
  a.data.resize(static_cast<std::size_t>(graph::element_count(a.shape) * 4));
  for (std::size_t i = 0; i < a.data.size() / 4; ++i) {
    const float v = 0.5F * static_cast<float>(i) - 1.0F;
    std::memcpy(a.data.data() + 4 * i, &v, 4);
  }
  return a;
}

TEST(Npy, RoundTripsEveryElementType) {
  for (DType t :
       {DType::kFloat32, DType::kInt64, DType::kInt32, DType::kInt8, DType::kUInt8, DType::kBool}) {
    NpyArray a;
    a.shape = {2, 3};
    a.dtype = t;
    a.data.assign(static_cast<std::size_t>(6 * dtype_bytes(t)), std::byte{1});
    const std::string bytes = npy_bytes(a);
    // numpy.lib.format: data starts at a multiple of 64 bytes.
    const auto header_len =
        static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    EXPECT_EQ((10 + header_len) % 64, 0);
    auto back = parse_npy(bytes, "a.npy");
    ASSERT_TRUE(back.ok()) << back.error_text();
    EXPECT_EQ(back->shape, a.shape);
    EXPECT_EQ(back->dtype, t);
    EXPECT_EQ(back->data, a.data);
  }
}

TEST(Npy, WritesNumpysHeaderForScalarsAndVectors) {
  const std::string scalar = npy_bytes(floats({}));
  EXPECT_NE(scalar.find("'shape': (),"), std::string::npos);
  const std::string vector = npy_bytes(floats({5}));
  EXPECT_NE(vector.find("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"),
            std::string::npos);
  auto back = parse_npy(scalar, "s.npy");
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->shape.empty());
  EXPECT_EQ(back->data.size(), 4U);
}

TEST(Npy, RefusesWhatItCannotRead) {
  std::string good = npy_bytes(floats({2, 2}));
  auto expect_error = [](const std::string& bytes, const std::string& field) {
    auto r = parse_npy(bytes, "x.npy");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.diagnostics().front().file, "x.npy");
    EXPECT_EQ(r.diagnostics().front().field, field) << r.error_text();
  };
  expect_error("PK\x03\x04 not numpy", "magic");
  std::string f8 = good;
  f8.replace(f8.find("<f4"), 3, "<f8");
  expect_error(f8, "descr");
  std::string fortran = good;
  fortran.replace(fortran.find("False"), 5, "True ");
  expect_error(fortran, "fortran_order");
  expect_error(good.substr(0, good.size() - 4), "data");
  std::string v9 = good;
  v9[6] = 9;
  expect_error(v9, "version");
}

}  // namespace
}  // namespace tessera::io
