#include "tessera/io/npy.hpp"

#include <cstring>
#include <fstream>
#include <optional>

#include "tessera/core/file_text.hpp"

namespace tessera::io {

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

struct Descr {
  std::string_view text;
  DType dtype;
};
constexpr Descr kDescrs[] = {{"<f4", DType::kFloat32}, {"<i8", DType::kInt64},
                             {"<i4", DType::kInt32},   {"|i1", DType::kInt8},
                             {"|u1", DType::kUInt8},   {"|b1", DType::kBool}};

Diagnostic problem(const std::string& path, std::string field, std::string message) {
  return {path, 0, 0, std::move(field), std::move(message)};
}

/// The text after `'key':` in the header dict, trimmed of leading spaces.
std::optional<std::string_view> value_of(std::string_view header, std::string_view key) {
  const std::string quoted = "'" + std::string(key) + "'";
  const auto at = header.find(quoted);
  if (at == std::string_view::npos) return std::nullopt;
  auto rest = header.substr(at + quoted.size());
  const auto colon = rest.find_first_not_of(' ');
  if (colon == std::string_view::npos || rest[colon] != ':') return std::nullopt;
  rest = rest.substr(colon + 1);
  const auto start = rest.find_first_not_of(' ');
  if (start == std::string_view::npos) return std::nullopt;
  return rest.substr(start);
}

}  // namespace

Result<NpyArray> parse_npy(std::string_view bytes, const std::string& path) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != kMagic)
    return problem(path, "magic", "is not a .npy file (it does not start with \\x93NUMPY)");
  const auto major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) |
                 (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return problem(path, "header", "is truncated");
    for (int i = 0; i < 4; ++i)
      header_len |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    return problem(path, "version",
                   "is " + std::to_string(major) + ".x; versions 1.0, 2.0 and 3.0 are read");
  }
  if (bytes.size() < offset + header_len) return problem(path, "header", "is truncated");
  const std::string_view header = bytes.substr(offset, header_len);

  NpyArray out;
  const auto descr = value_of(header, "descr");
  if (!descr || descr->size() < 2 || (*descr)[0] != '\'')
    return problem(path, "descr", "is missing from the header");
  const auto end = descr->find('\'', 1);
  const std::string_view type = descr->substr(1, end - 1);
  bool known = false;
  for (const auto& d : kDescrs)
    if (d.text == type ||
        (type.size() == 3 && d.text[0] == '|' && type.substr(1) == d.text.substr(1))) {
      out.dtype = d.dtype;
      known = true;
    }
  if (!known)
    return problem(path, "descr",
                   "'" + std::string(type) +
                       "' is not supported; supported: <f4 (float32), <i8 (int64), <i4 (int32), "
                       "|i1, |u1, |b1");
  const auto fortran = value_of(header, "fortran_order");
  if (!fortran) return problem(path, "fortran_order", "is missing from the header");
  if (fortran->substr(0, 4) == "True")
    return problem(path, "fortran_order", "is True; only C-order arrays are read");
  const auto shape = value_of(header, "shape");
  if (!shape || (*shape)[0] != '(') return problem(path, "shape", "is missing from the header");
  const auto close = shape->find(')');
  if (close == std::string_view::npos) return problem(path, "shape", "is not a tuple");
  std::string dims(shape->substr(1, close - 1));
  std::size_t pos = 0;
  while (pos < dims.size()) {
    while (pos < dims.size() && (dims[pos] == ' ' || dims[pos] == ',')) ++pos;
    if (pos >= dims.size()) break;
    std::size_t used = 0;
    long long v = -1;
    try {
      v = std::stoll(dims.substr(pos), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || v < 0)
      return problem(path, "shape", "(" + dims + ") is not a tuple of non-negative integers");
    out.shape.push_back(v);
    pos += used;
  }
  const std::size_t data_bytes =
      static_cast<std::size_t>(graph::element_count(out.shape) * dtype_bytes(out.dtype));
  const std::size_t have = bytes.size() - offset - header_len;
  if (have != data_bytes)
    return problem(path, "data",
                   "holds " + std::to_string(have) + " bytes, but shape " +
                       graph::shape_to_string(out.shape) + " of " +
                       std::string(dtype_name(out.dtype)) + " needs " + std::to_string(data_bytes));
  out.data.resize(data_bytes);
  std::memcpy(out.data.data(), bytes.data() + offset + header_len, data_bytes);
  return out;
}

Result<NpyArray> read_npy(const std::string& path) {
  auto bytes = read_text_file(path);
  if (!bytes.ok()) return bytes.diagnostics();
  return parse_npy(bytes.value(), path);
}

std::string npy_bytes(const NpyArray& array) {
  std::string descr = "<f4";
  for (const auto& d : kDescrs)
    if (d.dtype == array.dtype) descr = d.text;
  std::string shape = "(";
  for (std::size_t i = 0; i < array.shape.size(); ++i)
    shape += std::to_string(array.shape[i]) +
             (array.shape.size() == 1 || i + 1 < array.shape.size() ? "," : "");
  shape += ")";
  std::string header =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>((header.size() >> 8) & 0xFF);
  out += header;
  out.append(reinterpret_cast<const char*>(array.data.data()), array.data.size());
  return out;
}

Status write_npy(const std::string& path, const NpyArray& array) {
  std::ofstream out(path, std::ios::binary);
  const std::string bytes = npy_bytes(array);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) return Diagnostic{path, 0, 0, "file", "cannot be written"};
  return {};
}

}  // namespace tessera::io
