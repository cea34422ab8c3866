// labstore/npy.h — typed N-dimensional arrays, as numpy saves them in .npy files.
//
// An NdArray is a dtype, a shape and the elements in C (row-major) order. It is
// what SaveData writes to a ".npy" path and what LoadData returns for one
// (labstore/data.h); the bytes written are NPY format 1.0 exactly as numpy 1.24
// writes them, so numpy.load reads them and a .npy file written by numpy loads.
//
//   std::vector<double> v = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0};
//   auto a = labstore::NdArray::From<double>(v, {2, 3});   // Result<NdArray>
//   auto back = a->values<double>();                        // Result<std::span<const double>>
//
// NdArray is a plain value: copyable, movable, no shared state. Hosts must be
// little-endian (x86-64, aarch64); elements are held in host order.
#ifndef LABSTORE_NPY_H_
#define LABSTORE_NPY_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "labstore/status.h"

namespace labstore {

// Element types. The values are not stored on disk (the .npy header names the
// type as numpy does, e.g. '<f8'), but keep them stable anyway.
enum class DType : uint8_t {
  kBool = 0,     // numpy bool_, '|b1'; each element one byte, 0 or 1
  kInt8 = 1,     // '|i1'
  kInt16 = 2,    // '<i2'
  kInt32 = 3,    // '<i4'
  kInt64 = 4,    // '<i8'
  kUInt8 = 5,    // '|u1'
  kUInt16 = 6,   // '<u2'
  kUInt32 = 7,   // '<u4'
  kUInt64 = 8,   // '<u8'
  kFloat32 = 9,  // '<f4'
  kFloat64 = 10, // '<f8'
};

// "bool", "int8", ..., "uint64", "float32", "float64". Errors: none.
const char* DTypeName(DType dtype);
// Bytes per element: 1, 2, 4 or 8. Errors: none.
size_t DTypeSize(DType dtype);

// The DType of a C++ element type: bool, the fixed-width integers (and any
// integral type of width 1, 2, 4 or 8), float and double. Errors: none (another
// type does not compile).
template <typename T>
constexpr DType DTypeOf() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, bool>) {
    return DType::kBool;
  } else if constexpr (std::is_same_v<U, float>) {
    return DType::kFloat32;
  } else if constexpr (std::is_same_v<U, double>) {
    return DType::kFloat64;
  } else {
    static_assert(std::is_integral_v<U> && (sizeof(U) == 1 || sizeof(U) == 2 || sizeof(U) == 4 || sizeof(U) == 8),
                  "NdArray elements are bool, 8- to 64-bit integers, float or double");
    constexpr int k = sizeof(U) == 1 ? 0 : sizeof(U) == 2 ? 1 : sizeof(U) == 4 ? 2 : 3;
    return static_cast<DType>((std::is_signed_v<U> ? 1 : 5) + k);
  }
}

// Largest number of dimensions (numpy's NPY_MAXDIMS).
inline constexpr size_t kMaxArrayDims = 32;

class NdArray {
 public:
  // An empty float64 array of shape (0,). Errors: none.
  NdArray();

  // Copies `values` into an array of `shape` (C order); the product of the
  // shape must equal values.size(). An empty shape {} is a 0-d array holding
  // one value. Errors: InvalidArgument (size mismatch, more than kMaxArrayDims
  // dimensions, a bool value that is not 0 or 1).
  //
  //   auto a = NdArray::From<int32_t>(std::vector<int32_t>{1, 2, 3, 4}, {2, 2});
  template <typename T>
  static Result<NdArray> From(std::span<const T> values, std::vector<uint64_t> shape) {
    return FromBytes(DTypeOf<T>(), std::move(shape),
                     std::string_view(reinterpret_cast<const char*>(values.data()), values.size_bytes()));
  }
  // A one-dimensional array of shape (values.size(),). Errors: as above.
  template <typename T>
  static Result<NdArray> From(std::span<const T> values) {
    return From<T>(values, {values.size()});
  }

  // Copies elements given as host-order bytes, C order. Errors as From.
  static Result<NdArray> FromBytes(DType dtype, std::vector<uint64_t> shape, std::string_view bytes);

  // Errors: none (these four accessors).
  DType dtype() const { return dtype_; }
  const std::vector<uint64_t>& shape() const { return shape_; }
  // Number of elements: the product of the shape (1 for a 0-d array).
  uint64_t element_count() const { return data_.size() / DTypeSize(dtype_); }
  // The elements as host-order bytes, C order; element_count() * DTypeSize(dtype()) bytes.
  std::string_view bytes() const { return {reinterpret_cast<const char*>(data_.data()), data_.size()}; }

  // The elements, valid while this array lives and is not assigned to.
  // Errors: InvalidArgument when T is not the array's dtype (no conversion).
  template <typename T>
  Result<std::span<const T>> values() const {
    Status s = CheckDType(DTypeOf<T>());
    if (!s.ok()) return s;
    return std::span<const T>(reinterpret_cast<const T*>(data_.data()), data_.size() / sizeof(T));
  }

  // Same dtype, shape and bytes. Errors: none.
  friend bool operator==(const NdArray& a, const NdArray& b) {
    return a.dtype_ == b.dtype_ && a.shape_ == b.shape_ && a.bytes() == b.bytes();
  }

 private:
  Status CheckDType(DType wanted) const;

  DType dtype_ = DType::kFloat64;
  std::vector<uint64_t> shape_;
  // The elements; operator new aligns them for every element type (16 bytes).
  std::vector<std::byte> data_;
};

}  // namespace labstore

#endif  // LABSTORE_NPY_H_
