#include "index/faiss_file.hpp"

#include <algorithm>
#include <cstring>

#include <faiss/impl/FaissException.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>

#include "io/file_util.hpp"
#include "model/checkpoint_kind.hpp"
#include "model/voice_bundle_reader.hpp"
#include "rvc/error.hpp"
#include "rvc/io/checkpoint.hpp"

namespace rvc::index {
namespace {

// Hands faiss the bytes of a file mapped by rvc.
class MemoryReader : public faiss::IOReader {
 public:
  explicit MemoryReader(const io::Storage& bytes) : bytes_(bytes) {}
  size_t operator()(void* destination, size_t item_size, size_t num_items) override {
    if (item_size == 0) return 0;
    const size_t available = (bytes_.nbytes - position_) / item_size;
    const size_t items = std::min(num_items, available);
    std::memcpy(destination, bytes_.data + position_, items * item_size);
    position_ += items * item_size;
    return items;
  }

 private:
  const io::Storage& bytes_;
  size_t position_ = 0;
};

class SinkWriter : public faiss::IOWriter {
 public:
  explicit SinkWriter(const io::ByteSink& sink) : sink_(sink) {}
  size_t operator()(const void* source, size_t item_size, size_t num_items) override {
    sink_(source, item_size * num_items);
    return num_items;
  }

 private:
  const io::ByteSink& sink_;
};

bool is_zip(const io::Storage& bytes) {
  return bytes.nbytes >= 4 && std::memcmp(bytes.data, "PK\x03\x04", 4) == 0;
}

[[noreturn]] void refuse_pytorch_file(const std::string& path) {
  std::string kind = "a PyTorch file";
  try {
    kind = model::describe_checkpoint_kind(model::classify_checkpoint(io::load_checkpoint(path)));
  } catch (const Error&) {
    // An unreadable zip is still not an index; the generic description stands.
  }
  throw Error(ErrorCode::kWrongModelKind,
              "'" + path + "' is " + kind + ", not a retrieval index; pass the added_IVF…index file from the "
              "experiment folder (logs/<experiment>/) as the index");
}

}  // namespace

std::unique_ptr<faiss::Index> read_faiss_index(const std::string& path) {
  std::shared_ptr<const io::Storage> bytes = io::map_file(path);
  if (model::VoiceBundleReader::recognizes(bytes)) bytes = model::VoiceBundleReader(path).index_bytes();
  else if (is_zip(*bytes)) refuse_pytorch_file(path);
  if (bytes->nbytes < 4) {
    throw Error(ErrorCode::kCorruptFile, "'" + path + "' is not a faiss index (" + std::to_string(bytes->nbytes) +
                                             " bytes); build the index again with `rvc index build`");
  }
  MemoryReader reader(*bytes);
  try {
    return std::unique_ptr<faiss::Index>(faiss::read_index(&reader));
  } catch (const faiss::FaissException& e) {
    const std::string reason = e.msg.find("not recognized") != std::string::npos
                                   ? "it does not start like any faiss index"
                                   : "it is truncated or damaged";
    throw Error(ErrorCode::kCorruptFile, "'" + path + "' cannot be read as a faiss index: " + reason +
                                             "; build the index again with `rvc index build`");
  }
}

void write_faiss_index(const faiss::Index& index, const std::string& path) {
  io::write_stream_atomically(path, [&](const io::ByteSink& sink) {
    SinkWriter writer(sink);
    faiss::write_index(&index, &writer);
  });
}

}  // namespace rvc::index
