// NdArray and the NPY format (grammar in data/npy_format.h).
#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "data/npy_format.h"
#include "labstore/npy.h"

static_assert(std::endian::native == std::endian::little, "labstore's NdArray assumes a little-endian host");

namespace labstore {

const char* DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kBool: return "bool";
    case DType::kInt8: return "int8";
    case DType::kInt16: return "int16";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kUInt8: return "uint8";
    case DType::kUInt16: return "uint16";
    case DType::kUInt32: return "uint32";
    case DType::kUInt64: return "uint64";
    case DType::kFloat32: return "float32";
    case DType::kFloat64: return "float64";
  }
  return "unknown";
}

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kBool: case DType::kInt8: case DType::kUInt8: return 1;
    case DType::kInt16: case DType::kUInt16: return 2;
    case DType::kInt32: case DType::kUInt32: case DType::kFloat32: return 4;
    case DType::kInt64: case DType::kUInt64: case DType::kFloat64: return 8;
  }
  return 1;
}

NdArray::NdArray() : shape_{0} {}

Result<NdArray> NdArray::FromBytes(DType dtype, std::vector<uint64_t> shape, std::string_view bytes) {
  if (shape.size() > kMaxArrayDims) {
    return Status::InvalidArgument(
        fmt::format("an array may have at most {} dimensions, not {}", kMaxArrayDims, shape.size()));
  }
  uint64_t count = 1;
  for (uint64_t n : shape) {
    if (n != 0 && count > UINT64_MAX / n) return Status::InvalidArgument("the array shape overflows 64 bits");
    count *= n;
  }
  size_t item = DTypeSize(dtype);
  if (count > UINT64_MAX / item || count * item != bytes.size()) {
    return Status::InvalidArgument(
        fmt::format("shape ({}) of {} needs {} elements, got {} bytes ({} elements)", fmt::join(shape, ", "),
                    DTypeName(dtype), count, bytes.size(), bytes.size() / item));
  }
  if (dtype == DType::kBool) {
    auto bad = std::find_if(bytes.begin(), bytes.end(), [](char c) { return c != 0 && c != 1; });
    if (bad != bytes.end()) {
      return Status::InvalidArgument(fmt::format("bool element {} is {}, not 0 or 1", bad - bytes.begin(),
                                                 static_cast<int>(static_cast<unsigned char>(*bad))));
    }
  }
  NdArray a;
  a.dtype_ = dtype;
  a.shape_ = std::move(shape);
  a.data_.resize(bytes.size());
  if (!bytes.empty()) std::memcpy(a.data_.data(), bytes.data(), bytes.size());
  return a;
}

Status NdArray::CheckDType(DType wanted) const {
  if (wanted == dtype_) return Status::OK();
  return Status::InvalidArgument(fmt::format("the array holds {}, not {}", DTypeName(dtype_), DTypeName(wanted)));
}

namespace internal {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr size_t kAlign = 64;
constexpr size_t kGrowthAxisMaxDigits = 21;

// numpy's descr: '|' for one-byte types, '<' (little-endian) otherwise.
std::string Descr(DType dtype) {
  size_t n = DTypeSize(dtype);
  char kind;
  switch (dtype) {
    case DType::kBool: kind = 'b'; break;
    case DType::kFloat32: case DType::kFloat64: kind = 'f'; break;
    case DType::kUInt8: case DType::kUInt16: case DType::kUInt32: case DType::kUInt64: kind = 'u'; break;
    default: kind = 'i'; break;
  }
  return fmt::format("{}{}{}", n == 1 ? '|' : '<', kind, n);
}

// Python's repr of a tuple of ints: "()", "(2,)", "(2, 3)".
std::string ShapeRepr(const std::vector<uint64_t>& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

// A cursor over the header's Python dict literal.
class HeaderParser {
 public:
  explicit HeaderParser(std::string_view s) : s_(s) {}

  void Space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool Eat(char c) {
    Space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool Peek(char c) {
    Space();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  bool AtEnd() {
    Space();
    return pos_ == s_.size();
  }
  std::optional<std::string> String() {
    Space();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return std::nullopt;
    char quote = s_[pos_++];
    size_t end = s_.find(quote, pos_);
    if (end == std::string_view::npos) return std::nullopt;
    std::string out(s_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return out;
  }
  std::optional<bool> Bool() {
    Space();
    for (auto [word, value] :
         {std::pair{std::string_view("True"), true}, std::pair{std::string_view("False"), false}}) {
      if (s_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return value;
      }
    }
    return std::nullopt;
  }
  std::optional<uint64_t> Int() {
    Space();
    size_t start = pos_;
    uint64_t v = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      uint64_t d = static_cast<uint64_t>(s_[pos_++] - '0');
      if (v > (UINT64_MAX - d) / 10) return std::nullopt;
      v = v * 10 + d;
    }
    if (pos_ == start) return std::nullopt;
    if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2's long suffix
    return v;
  }
  // "(" [int ("," int)* [","]] ")"
  std::optional<std::vector<uint64_t>> Tuple() {
    if (!Eat('(')) return std::nullopt;
    std::vector<uint64_t> out;
    while (!Eat(')')) {
      auto v = Int();
      if (!v) return std::nullopt;
      out.push_back(*v);
      if (!Eat(',') && !Peek(')')) return std::nullopt;
    }
    return out;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

std::optional<DType> ParseDescr(std::string_view d, bool* big_endian) {
  if (d.size() != 3) return std::nullopt;
  char order = d[0], kind = d[1];
  int size = d[2] - '0';
  if (order != '<' && order != '>' && order != '|' && order != '=') return std::nullopt;
  std::optional<DType> t;
  if (kind == 'b' && size == 1) t = DType::kBool;
  if (kind == 'f' && size == 4) t = DType::kFloat32;
  if (kind == 'f' && size == 8) t = DType::kFloat64;
  if (kind == 'i' || kind == 'u') {
    int k = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : size == 8 ? 3 : -1;
    if (k >= 0) t = static_cast<DType>((kind == 'i' ? 1 : 5) + k);
  }
  if (!t) return std::nullopt;
  if (order == '|' && size != 1) return std::nullopt;  // numpy writes '|' only where order does not apply
  *big_endian = order == '>' && size > 1;
  return t;
}

}  // namespace

std::string EncodeNpy(const NdArray& array) {
  const auto& shape = array.shape();
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", Descr(array.dtype()),
                                 ShapeRepr(shape));
  if (!shape.empty()) dict.append(kGrowthAxisMaxDigits - std::to_string(shape[0]).size(), ' ');
  size_t hlen = dict.size() + 1;  // + '\n'
  size_t pad = kAlign - (kMagic.size() + 2 + 2 + hlen) % kAlign;
  std::string out;
  out.reserve(kMagic.size() + 4 + hlen + pad + array.bytes().size());
  out += kMagic;
  out.push_back('\x01');
  out.push_back('\x00');
  uint16_t len = static_cast<uint16_t>(hlen + pad);  // at most a few hundred: 32 dims of 20 digits
  out.push_back(static_cast<char>(len & 0xff));
  out.push_back(static_cast<char>(len >> 8));
  out += dict;
  out.append(pad, ' ');
  out.push_back('\n');
  out += array.bytes();
  return out;
}

Result<NdArray> DecodeNpy(std::string_view bytes, std::string_view what) {
  auto bad = [&](std::string_view reason) {
    return Status::InvalidArgument(fmt::format("invalid .npy file {}", what), reason);
  };
  if (bytes.size() < 10 || bytes.substr(0, kMagic.size()) != kMagic) return bad("it does not start with \\x93NUMPY");
  int major = static_cast<unsigned char>(bytes[6]), minor = static_cast<unsigned char>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0) return bad(fmt::format("NPY version {}.{} is not supported", major, minor));
  size_t prefix = major == 1 ? 10 : 12;
  if (bytes.size() < prefix) return bad("the header is cut short");
  size_t hlen = static_cast<unsigned char>(bytes[8]) | static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8;
  if (major > 1) {
    hlen |= static_cast<size_t>(static_cast<unsigned char>(bytes[10])) << 16 |
            static_cast<size_t>(static_cast<unsigned char>(bytes[11])) << 24;
  }
  if (bytes.size() < prefix + hlen) return bad("the header is cut short");

  HeaderParser p(bytes.substr(prefix, hlen));
  std::optional<std::string> descr;
  std::optional<bool> fortran;
  std::optional<std::vector<uint64_t>> shape;
  if (!p.Eat('{')) return bad("the header is not a Python dict");
  while (!p.Eat('}')) {
    auto key = p.String();
    if (!key || !p.Eat(':')) return bad("the header is not a Python dict");
    if (*key == "descr" && !descr) {
      descr = p.String();
      if (!descr) return bad("'descr' is not a simple type string (structured dtypes are not supported)");
    } else if (*key == "fortran_order" && !fortran) {
      fortran = p.Bool();
      if (!fortran) return bad("'fortran_order' is not True or False");
    } else if (*key == "shape" && !shape) {
      shape = p.Tuple();
      if (!shape) return bad("'shape' is not a tuple of integers");
    } else {
      return bad(fmt::format("unexpected or repeated key '{}' in the header", *key));
    }
    if (!p.Eat(',') && !p.Peek('}')) return bad("the header is not a Python dict");
  }
  if (!p.AtEnd()) return bad("extra text after the header dict");
  if (!descr || !fortran || !shape) return bad("the header lacks 'descr', 'fortran_order' or 'shape'");
  bool big_endian = false;
  auto dtype = ParseDescr(*descr, &big_endian);
  if (!dtype) {
    return bad(fmt::format("dtype '{}' is not supported (bool, int8-int64, uint8-uint64, float32, float64)", *descr));
  }
  if (*fortran) return bad("Fortran-order arrays are not supported");

  std::string_view data = bytes.substr(prefix + hlen);
  std::string swapped;
  size_t item = DTypeSize(*dtype);
  if (big_endian) {
    swapped.assign(data);
    for (size_t i = 0; i + item <= swapped.size(); i += item)
      std::reverse(swapped.begin() + i, swapped.begin() + i + item);
    data = swapped;
  }
  auto array = NdArray::FromBytes(*dtype, std::move(*shape), data);
  if (!array.ok()) return bad(array.status().message());
  return array;
}

}  // namespace internal
}  // namespace labstore
