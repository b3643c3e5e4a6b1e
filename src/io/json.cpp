#include "io/json.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "rvc/error.hpp"

namespace rvc::io {
namespace {

class JsonParser {
 public:
  JsonParser(const std::string& text, const std::string& context) : text_(text), context_(context) {}

  Value parse() {
    Value value = parse_value(0);
    skip_space();
    if (pos_ != text_.size()) fail("trailing characters");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorCode::kCorruptFile, context_ + " holds malformed JSON (" + what + " at offset " +
                                             std::to_string(pos_) + ")");
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' ||
                                   text_[pos_] == '\t')) {
      ++pos_;
    }
  }
  char peek() {
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end");
    return text_[pos_];
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  bool consume_word(const char* word) {
    const std::string w(word);
    if (text_.compare(pos_, w.size(), w) == 0) {
      pos_ += w.size();
      return true;
    }
    return false;
  }

  static void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
    }
  }

  unsigned read_hex4() {
    if (pos_ + 4 > text_.size()) fail("short \\u escape");
    unsigned code = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      code <<= 4;
      if (c >= '0' && c <= '9') code |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') code |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') code |= static_cast<unsigned>(c - 'A' + 10);
      else fail("bad \\u escape");
    }
    return code;
  }

  std::string parse_string() {
    expect('"');
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) fail("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          unsigned code = read_hex4();
          if (code >= 0xd800 && code < 0xdc00 && consume_word("\\u")) {
            const unsigned low = read_hex4();
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          }
          append_utf8(out, code);
          break;
        }
        default: fail("bad escape");
      }
    }
  }

  Value parse_value(int depth) {
    if (depth > 128) fail("nesting too deep");
    const char c = peek();
    if (c == '{') {
      ++pos_;
      Value dict = Value::dict();
      if (peek() == '}') {
        ++pos_;
        return dict;
      }
      while (true) {
        std::string key = parse_string();
        expect(':');
        dict.as_dict_mut().emplace_back(Value::string(std::move(key)), parse_value(depth + 1));
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect('}');
        return dict;
      }
    }
    if (c == '[') {
      ++pos_;
      Value list = Value::list();
      if (peek() == ']') {
        ++pos_;
        return list;
      }
      while (true) {
        list.as_list_mut().push_back(parse_value(depth + 1));
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect(']');
        return list;
      }
    }
    if (c == '"') return Value::string(parse_string());
    if (consume_word("true")) return Value::boolean(true);
    if (consume_word("false")) return Value::boolean(false);
    if (consume_word("null")) return Value::none();
    const std::size_t start = pos_;
    bool is_float = false;
    while (pos_ < text_.size() && std::string("+-0123456789.eE").find(text_[pos_]) != std::string::npos) {
      if (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E') is_float = true;
      ++pos_;
    }
    if (start == pos_) fail("unexpected character");
    const std::string number = text_.substr(start, pos_ - start);
    char* end = nullptr;
    if (is_float) {
      const double d = std::strtod(number.c_str(), &end);
      if (*end != '\0') fail("bad number");
      return Value::floating(d);
    }
    errno = 0;
    const long long i = std::strtoll(number.c_str(), &end, 10);
    if (*end != '\0' || errno == ERANGE) fail("bad integer");
    return Value::integer(i);
  }

  const std::string& text_;
  const std::string& context_;
  std::size_t pos_ = 0;
};

void write_json_string(std::string& out, const std::string& text) {
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof(buffer), "\\u%04x", static_cast<unsigned>(c));
          out += buffer;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void write_json(std::string& out, const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kNone: out += "null"; return;
    case Value::Kind::kBool: out += value.as_bool() ? "true" : "false"; return;
    case Value::Kind::kInt: out += std::to_string(value.as_int()); return;
    case Value::Kind::kFloat: {
      const double d = value.as_float();
      if (!std::isfinite(d)) {
        out += "null";
        return;
      }
      char buffer[32];
      std::snprintf(buffer, sizeof(buffer), "%.17g", d);
      out += buffer;
      return;
    }
    case Value::Kind::kString:
    case Value::Kind::kBytes: write_json_string(out, value.as_string()); return;
    case Value::Kind::kList:
    case Value::Kind::kTuple: {
      out.push_back('[');
      bool first = true;
      for (const Value& item : value.as_list()) {
        if (!first) out.push_back(',');
        first = false;
        write_json(out, item);
      }
      out.push_back(']');
      return;
    }
    case Value::Kind::kDict: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : value.as_dict()) {
        if (!first) out.push_back(',');
        first = false;
        write_json_string(out, key.kind() == Value::Kind::kString ? key.as_string() : to_json(key));
        out.push_back(':');
        write_json(out, item);
      }
      out.push_back('}');
      return;
    }
    case Value::Kind::kTensor:
      write_json_string(out, value.as_tensor().description());
      return;
    case Value::Kind::kObject:
      write_json_string(out, "<" + value.as_object().qualified_name() + ">");
      return;
  }
}

}  // namespace

Value parse_json(const std::string& text, const std::string& context) {
  return JsonParser(text, context).parse();
}

std::string to_json(const Value& value) {
  std::string out;
  write_json(out, value);
  return out;
}

}  // namespace rvc::io
