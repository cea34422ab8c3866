#include "labstore/status.h"

namespace labstore {

Status::Status(Code code, std::string_view what, std::string_view context) : code_(code), message_(what) {
  if (!context.empty()) {
    message_ += ": ";
    message_ += context;
  }
}

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kNotFound: return "NotFound";
    case Code::kInvalidArgument: return "InvalidArgument";
    case Code::kBusy: return "Busy";
    case Code::kIOError: return "IOError";
    case Code::kCorruption: return "Corruption";
    case Code::kNotSupported: return "NotSupported";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace labstore
