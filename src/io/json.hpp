// A small JSON reader and writer over Value trees (objects become dicts). Private.
#pragma once

#include <string>

#include "rvc/io/value.hpp"

namespace rvc::io {

/// Parses `text`; throws kCorruptFile mentioning `context` on malformed input.
Value parse_json(const std::string& text, const std::string& context);

/// Compact JSON for dicts with string keys, lists, tuples, str, int, float, bool and None.
std::string to_json(const Value& value);

}  // namespace rvc::io
