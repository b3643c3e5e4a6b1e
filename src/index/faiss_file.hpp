// faiss index files read from and written to bytes that rvc handles itself, so that every UTF-8
// path works and writes are atomic. Private to rvc.
#pragma once

#include <memory>
#include <string>

#include <faiss/Index.h>

namespace rvc::index {

// Reads a faiss index file. Throws rvc::Error naming `path`: kFileNotFound, kWrongModelKind for a
// PyTorch file (says which kind), kCorruptFile for anything faiss cannot read.
std::unique_ptr<faiss::Index> read_faiss_index(const std::string& path);

// Writes `index` in faiss's format, atomically.
void write_faiss_index(const faiss::Index& index, const std::string& path);

}  // namespace rvc::index
