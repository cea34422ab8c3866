// The NPY file format (numpy.lib.format), versions 1.0 to 3.0 read, 1.0 written.
//
//   npy    := "\x93NUMPY" major(1) minor(1) header_len header data
//   header_len := uint16 LE (major 1) | uint32 LE (major 2, 3)
//   header := Python dict literal, e.g. "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
//             padded with ' ' and ending in '\n' so that the data starts at a multiple of 64
//   data   := the elements in C order, in the byte order of descr
//
// Written as numpy 1.24 writes it, byte for byte: keys sorted, repr() values,
// GROWTH_AXIS_MAX_DIGITS (21) - len(repr(shape[0])) spaces of spare room after
// the dict (none for shape ()), then 1..64 spaces and '\n' to align to 64.
// Read: descr '<', '>', '|' or '=' followed by b1, i1-i8, u1-u8, f4, f8;
// fortran_order False; any other header is InvalidArgument.
#ifndef LABSTORE_LIB_DATA_NPY_FORMAT_H_
#define LABSTORE_LIB_DATA_NPY_FORMAT_H_

#include <string>
#include <string_view>

#include "labstore/npy.h"
#include "labstore/status.h"

namespace labstore::internal {

std::string EncodeNpy(const NdArray& array);

// Errors: InvalidArgument `invalid .npy file <what>: <reason>`.
Result<NdArray> DecodeNpy(std::string_view bytes, std::string_view what);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_DATA_NPY_FORMAT_H_
