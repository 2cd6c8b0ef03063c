#include "onnx/detail/onnx_tensors.hpp"

#include <cstring>

namespace tessera::onnx::detail {

namespace {

using graph::DType;
using ::onnx::TensorProto;

template <typename T>
void append_le(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // the hosts Tessera builds for are little-endian
  out.append(bytes, sizeof(T));
}

template <typename T>
void append_bytes(std::vector<std::byte>& out, T value) {
  std::byte bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.insert(out.end(), bytes, bytes + sizeof(T));
}

template <typename T>
T read_le(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

}  // namespace

std::optional<IrType> ir_type(std::int32_t elem_type) {
  switch (elem_type) {
    case TensorProto::FLOAT:
      return IrType{DType::kFloat32, true};
    case TensorProto::FLOAT16:
      return IrType{DType::kFloat16, true};
    case TensorProto::BFLOAT16:
      return IrType{DType::kBFloat16, true};
    case TensorProto::INT8:
      return IrType{DType::kInt8, true};
    case TensorProto::UINT8:
      return IrType{DType::kUInt8, true};
    case TensorProto::INT32:
      return IrType{DType::kInt32, true};
    case TensorProto::INT64:
      return IrType{DType::kInt64, true};
    case TensorProto::BOOL:
      return IrType{DType::kBool, true};
    case TensorProto::DOUBLE:
      return IrType{DType::kFloat32, false};
    case TensorProto::INT16:
    case TensorProto::UINT16:
    case TensorProto::UINT32:
      return IrType{DType::kInt32, false};
    case TensorProto::UINT64:
      return IrType{DType::kInt64, false};
    default:
      return std::nullopt;
  }
}

std::string elem_type_name(std::int32_t elem_type) {
  if (::onnx::TensorProto_DataType_IsValid(elem_type))
    return ::onnx::TensorProto_DataType_Name(static_cast<::onnx::TensorProto_DataType>(elem_type));
  return "type " + std::to_string(elem_type);
}

bool is_floating(std::int32_t t) {
  return t == TensorProto::FLOAT || t == TensorProto::DOUBLE || t == TensorProto::FLOAT16 ||
         t == TensorProto::BFLOAT16;
}

std::size_t onnx_width(std::int32_t elem_type) {
  switch (elem_type) {
    case TensorProto::DOUBLE:
    case TensorProto::INT64:
    case TensorProto::UINT64:
      return 8;
    case TensorProto::FLOAT:
    case TensorProto::INT32:
    case TensorProto::UINT32:
      return 4;
    case TensorProto::INT16:
    case TensorProto::UINT16:
    case TensorProto::FLOAT16:
    case TensorProto::BFLOAT16:
      return 2;
    case TensorProto::INT8:
    case TensorProto::UINT8:
    case TensorProto::BOOL:
      return 1;
    default:
      return 0;
  }
}

bool is_external(const TensorProto& tensor) {
  return tensor.has_data_location() && tensor.data_location() == TensorProto::EXTERNAL;
}

std::optional<std::int64_t> inline_value_count(const TensorProto& tensor) {
  if (tensor.has_raw_data()) {
    const std::size_t width = onnx_width(tensor.data_type());
    if (width == 0 || tensor.raw_data().size() % width != 0) return std::nullopt;
    return static_cast<std::int64_t>(tensor.raw_data().size() / width);
  }
  switch (tensor.data_type()) {
    case TensorProto::FLOAT:
      return tensor.float_data_size();
    case TensorProto::DOUBLE:
      return tensor.double_data_size();
    case TensorProto::INT64:
      return tensor.int64_data_size();
    case TensorProto::UINT32:
    case TensorProto::UINT64:
      return tensor.uint64_data_size();
    case TensorProto::STRING:
      return tensor.string_data_size();
    default:
      return tensor.int32_data_size();
  }
}

std::string inline_raw_bytes(const TensorProto& tensor) {
  if (tensor.has_raw_data()) return tensor.raw_data();
  std::string out;
  switch (tensor.data_type()) {
    case TensorProto::FLOAT:
      for (float v : tensor.float_data()) append_le(out, v);
      break;
    case TensorProto::DOUBLE:
      for (double v : tensor.double_data()) append_le(out, v);
      break;
    case TensorProto::INT64:
      for (std::int64_t v : tensor.int64_data()) append_le(out, v);
      break;
    case TensorProto::UINT32:
      for (std::uint64_t v : tensor.uint64_data()) append_le(out, static_cast<std::uint32_t>(v));
      break;
    case TensorProto::UINT64:
      for (std::uint64_t v : tensor.uint64_data()) append_le(out, v);
      break;
    case TensorProto::INT32:
      for (std::int32_t v : tensor.int32_data()) append_le(out, v);
      break;
    case TensorProto::INT16:
    case TensorProto::UINT16:
    case TensorProto::FLOAT16:
    case TensorProto::BFLOAT16:  // int32_data holds the 16 bits of each element
      for (std::int32_t v : tensor.int32_data()) append_le(out, static_cast<std::uint16_t>(v));
      break;
    default:  // INT8, UINT8, BOOL: one element per int32_data entry
      for (std::int32_t v : tensor.int32_data()) append_le(out, static_cast<std::uint8_t>(v));
      break;
  }
  return out;
}

std::vector<std::byte> to_ir_bytes(std::string_view raw, std::int32_t elem_type) {
  std::vector<std::byte> out;
  const std::size_t width = onnx_width(elem_type);
  if (width == 0) return out;
  const std::size_t n = raw.size() / width;
  const auto type = ir_type(elem_type);
  if (type && type->exact) {
    out.resize(n * width);
    if (!out.empty()) std::memcpy(out.data(), raw.data(), out.size());  // empty: data() may be null
    return out;
  }
  out.reserve(n * 8);
  for (std::size_t i = 0; i < n; ++i) {
    const char* p = raw.data() + i * width;
    switch (elem_type) {
      case TensorProto::DOUBLE:
        append_bytes(out, static_cast<float>(read_le<double>(p)));
        break;
      case TensorProto::INT16:
        append_bytes(out, static_cast<std::int32_t>(read_le<std::int16_t>(p)));
        break;
      case TensorProto::UINT16:
        append_bytes(out, static_cast<std::int32_t>(read_le<std::uint16_t>(p)));
        break;
      case TensorProto::UINT32:
        append_bytes(out, static_cast<std::int32_t>(read_le<std::uint32_t>(p)));
        break;
      default:  // UINT64
        append_bytes(out, static_cast<std::int64_t>(read_le<std::uint64_t>(p)));
        break;
    }
  }
  return out;
}

std::optional<std::vector<std::byte>> folded_ir_bytes(const FoldedTensor& value, DType dtype) {
  std::vector<std::byte> out;
  for (std::int64_t i = 0; i < value.size(); ++i) {
    switch (dtype) {
      case DType::kFloat32:
        append_bytes(out, static_cast<float>(value.real(i)));
        break;
      case DType::kInt64:
        append_bytes(out, value.integer(i));
        break;
      case DType::kInt32:
        append_bytes(out, static_cast<std::int32_t>(value.integer(i)));
        break;
      case DType::kInt8:
        append_bytes(out, static_cast<std::int8_t>(value.integer(i)));
        break;
      case DType::kUInt8:
      case DType::kBool:
        append_bytes(out, static_cast<std::uint8_t>(value.integer(i)));
        break;
      case DType::kFloat16:
      case DType::kBFloat16:
        return std::nullopt;
    }
  }
  return out;
}

}  // namespace tessera::onnx::detail
