// NdArray and .npy files (lib/data/npy.cc): numpy 1.24's bytes exactly, every
// dtype both ways, headers from other writers, and what is refused.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "data/npy_format.h"
#include "data_test_util.h"

namespace labstore {
namespace {

using test::Code;

std::string Golden(const std::string& relative) {
  return test::ReadFile(std::string(LABSTORE_GOLDEN_DIR) + "/" + relative);
}

// A .npy file as numpy writes it, from its header dict text.
std::string NpyFile(std::string_view dict, std::string_view data, char major = 1) {
  std::string header(dict);
  size_t prefix = major == 1 ? 10 : 12;
  header.append(64 - (prefix + header.size() + 1) % 64, ' ');
  header.push_back('\n');
  std::string out = std::string("\x93NUMPY", 6) + major + '\0';
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  if (major > 1) out.append(2, '\0');
  return out + header + std::string(data);
}

std::string Decode(std::string_view bytes) {
  auto a = internal::DecodeNpy(bytes, "\"t.npy\"");
  return a.ok() ? "OK" : a.status().ToString();
}

template <typename T>
void CheckRoundTrip(std::vector<T> values, std::vector<uint64_t> shape) {
  std::string dtype = DTypeName(DTypeOf<T>());
  CAPTURE(dtype);
  std::unique_ptr<T[]> buffer(new T[values.size() + 1]);  // not vector<bool>: it has no data()
  std::copy(values.begin(), values.end(), buffer.get());
  auto a = NdArray::From<T>(std::span<const T>(buffer.get(), values.size()), shape);
  REQUIRE_MESSAGE(a.ok(), a.status().ToString());
  auto bytes = EncodeData("a.npy", DataValue::Array(*a));
  REQUIRE(bytes.ok());
  CHECK(bytes->size() % 64 == values.size() * sizeof(T) % 64);  // data starts at a multiple of 64
  auto back = DecodeData("a.npy", *bytes);
  REQUIRE(back.ok());
  CHECK(back->array() == *a);
  CHECK(back->array().shape() == shape);
  auto v = back->array().template values<T>();
  REQUIRE(v.ok());
  CHECK(v->size() == values.size());  // bitwise: NaN is one of the values
  CHECK((values.empty() || std::memcmp(v->data(), buffer.get(), values.size() * sizeof(T)) == 0));
}

TEST_SUITE("data") {

TEST_CASE("A float64 array is byte for byte machinable's inputs.npy (golden)") {
  std::vector<double> v = {1.0, 2.0};
  auto a = NdArray::From<double>(v);
  REQUIRE(a.ok());
  std::string golden = Golden("rm3SAJ/data/inputs.npy");
  REQUIRE(golden.size() == 144);
  CHECK(*EncodeData("inputs.npy", DataValue::Array(*a)) == golden);
  auto back = DecodeData("inputs.npy", golden);
  REQUIRE(back.ok());
  CHECK(back->array().dtype() == DType::kFloat64);
  CHECK(back->array().shape() == std::vector<uint64_t>{2});
  CHECK(back->array().values<double>()->size() == 2);
  CHECK((*back->array().values<double>())[1] == 2.0);
}

TEST_CASE("Headers match numpy 1.24 for every dtype and many shapes") {
  // (dtype, shape, header length field, dict, spaces before '\n'), printed by
  // numpy.lib.format._write_array_header of numpy 1.24.2.
  struct Case {
    DType dtype;
    std::vector<uint64_t> shape;
    int header_len;
    std::string dict;
    size_t spaces;
  };
  std::vector<Case> cases = {
      {DType::kFloat64, {2}, 118, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 60},
      {DType::kInt32, {}, 118, "{'descr': '<i4', 'fortran_order': False, 'shape': (), }", 62},
      {DType::kBool, {2, 3}, 118, "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3), }", 58},
      {DType::kUInt8, {0}, 118, "{'descr': '|u1', 'fortran_order': False, 'shape': (0,), }", 60},
      {DType::kInt64, {3, 1, 2}, 118, "{'descr': '<i8', 'fortran_order': False, 'shape': (3, 1, 2), }", 55},
      {DType::kFloat32, {12345678901, 0}, 118,
       "{'descr': '<f4', 'fortran_order': False, 'shape': (12345678901, 0), }", 48},
      {DType::kInt8, std::vector<uint64_t>(32, 1), 182,
       "{'descr': '|i1', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, "
       "1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), }",
       32},
      {DType::kUInt16, {0, 7}, 118, "{'descr': '<u2', 'fortran_order': False, 'shape': (0, 7), }", 58},
      {DType::kUInt64, {5}, 118, "{'descr': '<u8', 'fortran_order': False, 'shape': (5,), }", 60},
      {DType::kInt16, {10, 2}, 118, "{'descr': '<i2', 'fortran_order': False, 'shape': (10, 2), }", 57},
      {DType::kUInt32, {1000000, 0}, 118, "{'descr': '<u4', 'fortran_order': False, 'shape': (1000000, 0), }", 52},
      // Padding of a full 64 bytes (numpy never pads by 0).
      {DType::kFloat64, std::vector<uint64_t>(15, 1), 182,
       "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), }", 83},
  };
  for (const Case& c : cases) {
    CAPTURE(c.dict);
    uint64_t count = 1;
    for (uint64_t n : c.shape) count *= n;
    auto a = NdArray::FromBytes(c.dtype, c.shape, std::string(count * DTypeSize(c.dtype), '\0'));
    REQUIRE_MESSAGE(a.ok(), a.status().ToString());
    std::string expected = std::string("\x93NUMPY\x01\x00", 8);
    expected.push_back(static_cast<char>(c.header_len & 0xff));
    expected.push_back(static_cast<char>(c.header_len >> 8));
    expected += c.dict + std::string(c.spaces, ' ') + "\n";
    std::string encoded = internal::EncodeNpy(*a);
    CHECK(encoded.substr(0, expected.size()) == expected);
    CHECK(encoded.size() == expected.size() + a->bytes().size());
    CHECK(Decode(encoded) == "OK");
  }
}

TEST_CASE("Every dtype round-trips with its shape, including 0-d and empty arrays") {
  CheckRoundTrip<bool>({true, false, true, true, false, false}, {2, 3});
  CheckRoundTrip<int8_t>({-128, 0, 127}, {3});
  CheckRoundTrip<int16_t>({-32768, 1, 32767, 2}, {2, 2});
  CheckRoundTrip<int32_t>({-7}, {});
  CheckRoundTrip<int64_t>({std::numeric_limits<int64_t>::min(), 0, std::numeric_limits<int64_t>::max(), 5}, {2, 1, 2});
  CheckRoundTrip<uint8_t>({}, {0});
  CheckRoundTrip<uint16_t>({65535, 0}, {1, 2});
  CheckRoundTrip<uint32_t>({4294967295u, 1}, {2});
  CheckRoundTrip<uint64_t>({18446744073709551615ull}, {1, 1, 1});
  CheckRoundTrip<float>({1.5f, -0.0f, std::numeric_limits<float>::infinity()}, {3});
  CheckRoundTrip<double>({std::nan(""), 1e300, -2.5, 0.1}, {4});
  CheckRoundTrip<double>({}, {0, 5});
}

TEST_CASE("NdArray refuses sizes that do not fit the shape and wrong element types") {
  std::vector<int32_t> v = {1, 2, 3};
  auto a = NdArray::From<int32_t>(v, {2, 2});
  CHECK(a.status().ToString() == "InvalidArgument: shape (2, 2) of int32 needs 4 elements, got 12 bytes (3 elements)");
  CHECK(Code(NdArray::From<int32_t>(v, std::vector<uint64_t>(33, 1))) == "InvalidArgument");
  CHECK(Code(NdArray::From<int32_t>(v, {3, 0xffffffffffffffffull})) == "InvalidArgument");
  CHECK(Code(NdArray::FromBytes(DType::kBool, {2}, std::string("\x01\x02", 2))) == "InvalidArgument");
  auto ok = NdArray::From<int32_t>(v);
  REQUIRE(ok.ok());
  CHECK(ok->values<int64_t>().status().ToString() == "InvalidArgument: the array holds int32, not int64");
  CHECK(ok->values<uint32_t>().status().IsInvalidArgument());
  CHECK(ok->element_count() == 3);
  NdArray empty;
  CHECK(empty.shape() == std::vector<uint64_t>{0});
  CHECK(empty.element_count() == 0);
  CHECK(DTypeOf<long long>() == DType::kInt64);
  CHECK(DTypeOf<unsigned char>() == DType::kUInt8);
  CHECK(DTypeOf<const float>() == DType::kFloat32);
}

TEST_CASE(".npy headers written by other numpy versions and writers load") {
  std::string le(8, '\0'), be(8, '\0');
  le[0] = 1, le[4] = 2;  // int32 1, 2 little-endian
  be[3] = 1, be[7] = 2;  // the same big-endian
  for (std::string file : {
           NpyFile("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", le),
           NpyFile("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", be),
           NpyFile("{'descr': '<i4', 'fortran_order': False, 'shape': (2L,)}", le),   // Python 2
           NpyFile("{\"shape\": (2, ), \"descr\": \"<i4\", \"fortran_order\": False}", le),  // other writers
           NpyFile("{'descr': '=i4', 'fortran_order': False, 'shape': (2,), }", le),
           NpyFile("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", le, 2),  // version 2.0
           NpyFile("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", le, 3),  // version 3.0
       }) {
    CAPTURE(file);
    auto a = DecodeData("x.npy", file);
    REQUIRE_MESSAGE(a.ok(), a.status().ToString());
    CHECK(a->array().dtype() == DType::kInt32);
    auto v = a->array().values<int32_t>();
    REQUIRE(v.ok());
    CHECK(std::vector<int32_t>(v->begin(), v->end()) == std::vector<int32_t>{1, 2});
  }
  std::string bools = NpyFile("{'descr': '|b1', 'fortran_order': False, 'shape': (), }", std::string(1, '\1'));
  CHECK(*DecodeData("x.npy", bools)->array().values<bool>().value().data() == true);
  std::string f8be = NpyFile("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }",
                             std::string("\x3f\xf0\0\0\0\0\0\0", 8));
  CHECK((*DecodeData("x.npy", f8be)->array().values<double>())[0] == 1.0);
}

TEST_CASE(".npy files that labstore cannot represent are InvalidArgument naming the file") {
  std::string d8(8, '\0');
  auto dict = [](std::string_view descr, std::string_view rest = "'fortran_order': False, 'shape': (1,), ") {
    return fmt::format("{{'descr': {}, {}}}", descr, rest);
  };
  CHECK(Decode(NpyFile(dict("'<f8'", "'fortran_order': True, 'shape': (1,), "), d8)) ==
        "InvalidArgument: invalid .npy file \"t.npy\": Fortran-order arrays are not supported");
  CHECK(Decode(NpyFile(dict("'<c16'"), d8 + d8)).find("dtype '<c16' is not supported") != std::string::npos);
  CHECK(Decode(NpyFile(dict("'<f2'"), "xx")).find("dtype '<f2' is not supported") != std::string::npos);
  CHECK(Decode(NpyFile(dict("'|O'"), d8)).find("is not supported") != std::string::npos);
  CHECK(Decode(NpyFile(dict("'<U3'"), d8)).find("is not supported") != std::string::npos);
  CHECK(Decode(NpyFile(dict("'|f8'"), d8)).find("is not supported") != std::string::npos);
  CHECK(Decode(NpyFile(dict("[('a', '<f8')]"), d8)).find("structured dtypes are not supported") != std::string::npos);
  CHECK(Decode(NpyFile(dict("'<f8'"), "1234567")).find("needs 1 elements, got 7 bytes") != std::string::npos);
  CHECK(Decode(NpyFile(dict("'<f8'"), d8 + "x")).find("got 9 bytes") != std::string::npos);
  CHECK(Decode(NpyFile(dict("'|b1'"), "\x05")).find("bool element 0 is 5") != std::string::npos);
  CHECK(Decode(NpyFile("{'descr': '<f8', 'shape': (1,)}", d8)).find("lacks") != std::string::npos);
  CHECK(Decode(NpyFile("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", d8))
            .find("repeated key 'descr'") != std::string::npos);
  CHECK(Decode(NpyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", d8))
            .find("unexpected or repeated key 'x'") != std::string::npos);
  CHECK(Decode(NpyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", d8))
            .find("'shape' is not a tuple of integers") != std::string::npos);
  CHECK(Decode("NUMPY") == "InvalidArgument: invalid .npy file \"t.npy\": it does not start with \\x93NUMPY");
  CHECK(Decode(std::string("\x93NUMPY\x04\x00\x00\x00", 10)).find("NPY version 4.0") != std::string::npos);
  CHECK(Decode(std::string("\x93NUMPY\x01\x00\xff\x00{", 11)).find("cut short") != std::string::npos);
  data_test::DataFixture f;
  REQUIRE(
      SaveFile(f.store, f.id, "data/fortran.npy", NpyFile(dict("'<f8'", "'fortran_order': True, 'shape': (1,), "), d8))
          .ok());
  auto r = LoadData(f.store, f.id, "fortran.npy");
  CHECK(r.status().ToString() ==
        "InvalidArgument: invalid .npy file \"data/fortran.npy\": Fortran-order arrays are not supported");
  CHECK(data_test::Load(f.store, f.id, "data/fortran.npy").size() == 128 + 8);  // kept verbatim all the same
}

TEST_CASE("numpy loads what labstore writes and labstore loads what numpy writes") {
  std::string out;
  if (test::RunCommand("/usr/bin/python3 -c 'import numpy'", &out) != 0) {
    MESSAGE("skipped: /usr/bin/python3 with numpy is not installed (apt-get install python3-numpy)");
    return;
  }
  test::TempDir tmp;
  // labstore -> numpy
  auto f64 = NdArray::From<double>(std::vector<double>{0.5, -1, 1e300, 3, 4, 5}, {2, 3});
  bool flags[] = {true, false, true};
  auto bools = NdArray::From<bool>(std::span<const bool>(flags), {3});
  auto scalar = NdArray::From<int64_t>(std::vector<int64_t>{-9223372036854775807 - 1}, {});
  auto u16 = NdArray::From<uint16_t>(std::vector<uint16_t>{65535, 1, 2, 3}, {2, 2, 1});
  REQUIRE((f64.ok() && bools.ok() && scalar.ok() && u16.ok()));
  test::WriteFile(tmp.Sub("f64.npy"), *EncodeData("f64.npy", DataValue::Array(*f64)));
  test::WriteFile(tmp.Sub("bools.npy"), *EncodeData("bools.npy", DataValue::Array(*bools)));
  test::WriteFile(tmp.Sub("scalar.npy"), *EncodeData("scalar.npy", DataValue::Array(*scalar)));
  test::WriteFile(tmp.Sub("u16.npy"), *EncodeData("u16.npy", DataValue::Array(*u16)));
  std::string script = tmp.Sub("check.py");
  test::WriteFile(script,
                  "import io, sys, numpy as np\n"
                  "d = sys.argv[1]\n"
                  "for name in ['f64', 'bools', 'scalar', 'u16']:\n"
                  "    raw = open(f'{d}/{name}.npy', 'rb').read()\n"
                  "    a = np.load(f'{d}/{name}.npy')\n"
                  "    b = io.BytesIO(); np.save(b, a)\n"
                  "    print(name, a.dtype, a.shape, a.tolist(), b.getvalue() == raw)\n"
                  "for dt in ['<f8', '>f8', '<f4', '|b1', '|i1', '<i2', '>i4', '<i8', '|u1', '<u2', '<u4', '>u8']:\n"
                  "    np.save(f'{d}/np_{dt[1:]}_{\"be\" if dt[0] == \">\" else \"le\"}.npy',\n"
                  "            np.arange(6).reshape(3, 2).astype(dt))\n"
                  "np.save(f'{d}/np_scalar.npy', np.float64(2.5))\n");
  int rc = test::RunCommand("/usr/bin/python3 " + script + " " + tmp.path(), &out);
  REQUIRE_MESSAGE(rc == 0, out);
  CHECK(out ==
        "f64 float64 (2, 3) [[0.5, -1.0, 1e+300], [3.0, 4.0, 5.0]] True\n"
        "bools bool (3,) [True, False, True] True\n"
        "scalar int64 () -9223372036854775808 True\n"
        "u16 uint16 (2, 2, 1) [[[65535], [1]], [[2], [3]]] True\n");
  // numpy -> labstore
  for (std::string name : {"f8_le", "f8_be", "f4_le", "b1_le", "i1_le", "i2_le", "i4_be", "i8_le", "u1_le", "u2_le",
                           "u4_le", "u8_be"}) {
    CAPTURE(name);
    auto a = DecodeData("x.npy", test::ReadFile(tmp.Sub("np_" + name + ".npy")));
    REQUIRE_MESSAGE(a.ok(), a.status().ToString());
    CHECK(a->array().shape() == std::vector<uint64_t>{3, 2});
    CHECK(a->array().element_count() == 6);
    std::string kind = name.substr(0, 1);
    size_t size = std::stoul(name.substr(1, 1));
    CHECK(DTypeSize(a->array().dtype()) == size);
    if (kind == "f" && size == 8) CHECK((*a->array().values<double>())[5] == 5.0);
    if (kind == "f" && size == 4) CHECK((*a->array().values<float>())[4] == 4.0f);
    if (kind == "i" && size == 4) CHECK((*a->array().values<int32_t>())[3] == 3);
    if (kind == "u" && size == 8) CHECK((*a->array().values<uint64_t>())[5] == 5);
    if (kind == "b") CHECK(std::vector<bool>(a->array().values<bool>()->begin(), a->array().values<bool>()->end()) ==
                           std::vector<bool>{false, true, true, true, true, true});
  }
  auto s = DecodeData("x.npy", test::ReadFile(tmp.Sub("np_scalar.npy")));
  REQUIRE(s.ok());
  CHECK(s->array().shape().empty());
  CHECK((*s->array().values<double>())[0] == 2.5);
}

}  // TEST_SUITE
}  // namespace
}  // namespace labstore
