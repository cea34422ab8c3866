#include "experiment/codec.h"

#include <fmt/format.h>

#include "experiment_generated.h"
#include "util/hash.h"

namespace labstore::internal {
namespace {

std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

// kDefaultLineage minified: not stored, so that most records stay as small as before.
constexpr std::string_view kDefaultExperimentLineageMinified = R"(["machinable.experiment","machinable.element"])";

}  // namespace

std::string EncodeExperiment(const Experiment& e, std::string_view ancestor_key, uint64_t sequence) {
  flatbuffers::FlatBufferBuilder b(512);
  auto id = b.CreateString(e.id);
  auto module = b.CreateString(e.module);
  auto config = b.CreateString(e.config);
  auto version = b.CreateString(e.version);
  auto predicate = b.CreateString(e.predicate);
  auto uses = b.CreateString(e.uses);
  auto group_path = b.CreateString(e.group_path);
  auto group_pattern = b.CreateString(e.group_pattern);
  auto project = b.CreateString(e.project);
  auto project_directory = b.CreateString(e.project_directory);
  auto ancestor = b.CreateString(ancestor_key.data(), ancestor_key.size());
  flatbuffers::Offset<flatbuffers::String> lineage;  // absent when default: older records read the same
  if (e.lineage != kDefaultExperimentLineageMinified) lineage = b.CreateString(e.lineage);
  auto rec = fb::CreateExperimentRecord(b, id, module, config, version, predicate, uses, e.seed, e.timestamp,
                                        group_path, group_pattern, project, project_directory, ancestor, sequence,
                                        lineage);
  b.Finish(rec);
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Result<StoredExperiment> DecodeExperiment(std::string_view key, std::string_view value) {
  flatbuffers::Verifier v(reinterpret_cast<const uint8_t*>(value.data()), value.size());
  if (!fb::VerifyExperimentRecordBuffer(v)) {
    return Status::Corruption(fmt::format("experiment record {} is damaged", ToHex(key)),
                              "its bytes are not a valid ExperimentRecord");
  }
  const fb::ExperimentRecord* r = fb::GetExperimentRecord(value.data());
  StoredExperiment out;
  Experiment& e = out.experiment;
  e.id = Str(r->id());
  e.module = Str(r->module_());
  e.config = Str(r->config());
  e.version = Str(r->version());
  e.predicate = Str(r->predicate());
  e.uses = Str(r->uses());
  e.lineage = r->lineage() != nullptr ? r->lineage()->str() : std::string(kDefaultExperimentLineageMinified);
  e.seed = r->seed();
  e.timestamp = r->timestamp();
  e.group_path = Str(r->group_path());
  e.group_pattern = Str(r->group_pattern());
  e.project = Str(r->project());
  e.project_directory = Str(r->project_directory());
  e.stored = true;
  e.key = std::string(key);
  out.ancestor_key = Str(r->ancestor_key());
  out.sequence = r->sequence();
  return out;
}

}  // namespace labstore::internal
