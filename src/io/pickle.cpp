#include "io/pickle.hpp"

#include <cmath>
#include <cstring>
#include <unordered_map>

#include "rvc/error.hpp"

namespace rvc::io {
namespace {

// Opcodes of the pickle protocols (Lib/pickletools.py).
enum Op : std::uint8_t {
  kMark = '(', kStop = '.', kPop = '0', kPopMark = '1', kDup = '2', kFloat = 'F', kInt = 'I',
  kBinInt = 'J', kBinInt1 = 'K', kLong = 'L', kBinInt2 = 'M', kNone = 'N', kPersId = 'P',
  kBinPersId = 'Q', kReduce = 'R', kString = 'S', kBinString = 'T', kShortBinString = 'U',
  kUnicode = 'V', kBinUnicode = 'X', kAppend = 'a', kBuild = 'b', kGlobal = 'c', kDict = 'd',
  kEmptyDict = '}', kAppends = 'e', kGet = 'g', kBinGet = 'h', kInst = 'i', kLongBinGet = 'j',
  kList = 'l', kEmptyList = ']', kObj = 'o', kPut = 'p', kBinPut = 'q', kLongBinPut = 'r',
  kSetItem = 's', kTuple = 't', kEmptyTuple = ')', kSetItems = 'u', kBinFloat = 'G',
  kProto = 0x80, kNewObj = 0x81, kExt1 = 0x82, kExt2 = 0x83, kExt4 = 0x84, kTuple1 = 0x85,
  kTuple2 = 0x86, kTuple3 = 0x87, kNewTrue = 0x88, kNewFalse = 0x89, kLong1 = 0x8a, kLong4 = 0x8b,
  kBinBytes = 'B', kShortBinBytes = 'C', kShortBinUnicode = 0x8c, kBinUnicode8 = 0x8d,
  kBinBytes8 = 0x8e, kEmptySet = 0x8f, kAddItems = 0x90, kFrozenSet = 0x91, kNewObjEx = 0x92,
  kStackGlobal = 0x93, kMemoize = 0x94, kFrame = 0x95, kByteArray8 = 0x96, kNextBuffer = 0x97,
  kReadOnlyBuffer = 0x98,
};

std::string normalise_module(const std::string& module) {
  if (module == "__builtin__") return "builtins";
  if (module == "copy_reg") return "copyreg";
  return module;
}

// Turns a str of code points < 256 (as `_codecs.encode(s, 'latin1')` receives it) into bytes.
std::string utf8_to_latin1(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if ((c & 0xe0u) == 0xc0u && i + 1 < text.size()) {
      out.push_back(static_cast<char>(((c & 0x1fu) << 6) | (static_cast<unsigned char>(text[++i]) & 0x3fu)));
    } else {
      throw Error(ErrorCode::kCorruptFile, "bytes encoded as latin1 hold a character above U+00FF");
    }
  }
  return out;
}

class Unpickler {
 public:
  Unpickler(const std::uint8_t* data, std::size_t size, const PersistentLoader& loader,
            const CheckpointLimits& limits, const std::string& path)
      : data_(data), end_(data + size), pos_(data), loader_(loader), limits_(limits), path_(path) {}

  Value run() {
    while (true) {
      const std::uint8_t op = read_u8();
      if (op == kStop) break;
      step(op);
    }
    if (stack_.size() != 1 || !marks_.empty()) fail("the pickle ends with a malformed stack");
    return stack_.back();
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorCode::kCorruptFile,
                "'" + path_ + "' holds a damaged pickle (" + what + " at byte " +
                    std::to_string(pos_ - data_) +
                    "); the file is truncated or corrupt: copy or download it again");
  }

  void need(std::size_t n) const {
    if (static_cast<std::size_t>(end_ - pos_) < n) fail("unexpected end of data");
  }
  std::uint8_t read_u8() {
    need(1);
    return *pos_++;
  }
  std::uint64_t read_le(std::size_t n) {
    need(n);
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < n; ++i) value |= static_cast<std::uint64_t>(pos_[i]) << (8 * i);
    pos_ += n;
    return value;
  }
  std::string read_bytes(std::uint64_t n) {
    if (n > static_cast<std::uint64_t>(end_ - pos_)) fail("a string runs past the end");
    std::string out(reinterpret_cast<const char*>(pos_), static_cast<std::size_t>(n));
    pos_ += n;
    return out;
  }
  std::string read_line() {
    const std::uint8_t* newline = static_cast<const std::uint8_t*>(std::memchr(pos_, '\n', end_ - pos_));
    if (newline == nullptr) fail("a text line has no end");
    std::string line(reinterpret_cast<const char*>(pos_), newline - pos_);
    pos_ = newline + 1;
    return line;
  }

  Value pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail("stack underflow");
    Value value = std::move(stack_.back());
    stack_.pop_back();
    return value;
  }
  Value& top() {
    if (stack_.empty()) fail("stack underflow");
    return stack_.back();
  }
  ValueList pop_to_mark() {
    if (marks_.empty()) fail("no mark on the stack");
    const std::size_t mark = marks_.back();
    marks_.pop_back();
    if (mark > stack_.size()) fail("bad mark");
    ValueList items(std::make_move_iterator(stack_.begin() + static_cast<std::ptrdiff_t>(mark)),
                    std::make_move_iterator(stack_.end()));
    stack_.resize(mark);
    return items;
  }
  void push(Value value) { stack_.push_back(std::move(value)); }

  void memo_put(std::uint64_t key) { memo_[key] = top(); }
  void memo_get(std::uint64_t key) {
    auto found = memo_.find(key);
    if (found == memo_.end()) fail("memo key " + std::to_string(key) + " is unknown");
    push(found->second);
  }

  static Value integer_from_le(const std::string& bytes) {
    if (bytes.empty()) return Value::integer(0);
    if (bytes.size() > 8) {  // arbitrary-precision int: kept, but as an opaque value
      OpaqueObject big{"builtins", "int", std::make_shared<Value>(Value::tuple({Value::bytes(bytes)})), nullptr, true};
      return Value::object(std::move(big));
    }
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
    }
    if (bytes.size() < 8 && (static_cast<unsigned char>(bytes.back()) & 0x80u)) {
      value |= ~std::uint64_t{0} << (8 * bytes.size());  // sign-extend
    }
    return Value::integer(static_cast<std::int64_t>(value));
  }

  Value parse_int_text(const std::string& text, bool is_long) {
    std::string digits = text;
    if (is_long && !digits.empty() && digits.back() == 'L') digits.pop_back();
    if (!is_long && digits == "00") return Value::boolean(false);
    if (!is_long && digits == "01") return Value::boolean(true);
    try {
      std::size_t used = 0;
      const long long value = std::stoll(digits, &used);
      if (used != digits.size()) fail("bad integer text");
      return Value::integer(value);
    } catch (const std::out_of_range&) {
      OpaqueObject big{"builtins", "int", std::make_shared<Value>(Value::tuple({Value::string(digits)})), nullptr, true};
      return Value::object(std::move(big));
    } catch (const std::invalid_argument&) {
      fail("bad integer text");
    }
  }

  static bool is(const OpaqueObject& object, const char* module, const char* name) {
    return object.module == module && object.name == name;
  }

  // Rebuilds a view of a loaded storage as torch._utils._rebuild_tensor_v2 does.
  Value rebuild_tensor(const ValueList& args) {
    if (args.size() < 4 || args[0].kind() != Value::Kind::kTensor) fail("bad tensor arguments");
    const TensorData& storage = args[0].as_tensor();
    const std::int64_t offset = args[1].as_int();
    std::vector<std::int64_t> shape, strides;
    for (const Value& v : args[2].as_list()) shape.push_back(v.as_int());
    for (const Value& v : args[3].as_list()) strides.push_back(v.as_int());
    if (shape.size() != strides.size()) fail("tensor size and stride differ in rank");
    if (static_cast<int>(shape.size()) > limits_.max_tensor_rank) fail("tensor rank above the limit");
    const std::int64_t storage_elements = storage.numel();
    if (offset < 0) fail("negative storage offset");
    std::int64_t last = offset;
    bool empty = false;
    for (std::size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] < 0 || strides[i] < 0) fail("negative tensor size or stride");
      if (shape[i] == 0) empty = true;
    }
    if (!empty) {
      for (std::size_t i = 0; i < shape.size(); ++i) {
        const std::int64_t span = shape[i] - 1;
        if (strides[i] != 0 && span > (storage_elements - last) / strides[i]) {
          fail("tensor reaches past its storage");
        }
        last += span * strides[i];
      }
      if (last >= storage_elements) fail("tensor reaches past its storage");
    }
    return Value::tensor(TensorData(storage.dtype(), std::move(shape), std::move(strides), offset,
                                    storage.storage()));
  }

  // The few callables whose results rvc interprets; every other call yields an OpaqueObject.
  Value call(const Value& callable, ValueList args) {
    if (callable.kind() != Value::Kind::kObject || callable.as_object().is_instance) {
      fail("a call of something that is not a class or function");
    }
    const OpaqueObject& fn = callable.as_object();
    if (is(fn, "collections", "OrderedDict") || is(fn, "collections", "defaultdict") ||
        is(fn, "builtins", "dict")) {
      Value dict = Value::dict();
      if (is(fn, "collections", "OrderedDict") && !args.empty() && args[0].is_sequence()) {
        for (const Value& pair : args[0].as_list()) {
          const ValueList& kv = pair.as_list();
          if (kv.size() != 2) fail("OrderedDict item is not a pair");
          dict.as_dict_mut().emplace_back(kv[0], kv[1]);
        }
      }
      return dict;
    }
    if (fn.module == "torch._utils" &&
        (fn.name == "_rebuild_tensor_v2" || fn.name == "_rebuild_tensor")) {
      return rebuild_tensor(args);
    }
    if (fn.module == "torch._utils" &&
        (fn.name == "_rebuild_parameter" || fn.name == "_rebuild_parameter_with_state")) {
      if (args.empty() || args[0].kind() != Value::Kind::kTensor) fail("bad parameter arguments");
      return args[0];
    }
    if (is(fn, "_codecs", "encode")) {
      if (args.empty() || args[0].kind() != Value::Kind::kString) fail("bad bytes encoding");
      const std::string encoding = args.size() > 1 ? args[1].as_string() : "utf-8";
      if (encoding == "latin1" || encoding == "latin-1") return Value::bytes(utf8_to_latin1(args[0].as_string()));
      return Value::bytes(args[0].as_string());
    }
    if (is(fn, "builtins", "bytearray") || is(fn, "builtins", "bytes")) {
      if (args.empty()) return Value::bytes("");
      if (args[0].kind() == Value::Kind::kBytes) return Value::bytes(args[0].as_string());
      if (args[0].kind() == Value::Kind::kString) return Value::bytes(utf8_to_latin1(args[0].as_string()));
    }
    if (is(fn, "builtins", "set") || is(fn, "builtins", "frozenset") || is(fn, "builtins", "list")) {
      if (args.empty()) return Value::list();
      if (args[0].is_sequence()) return Value::list(args[0].as_list());
    }
    if (is(fn, "builtins", "tuple") && !args.empty() && args[0].is_sequence()) {
      return Value::tuple(args[0].as_list());
    }
    OpaqueObject instance{fn.module, fn.name, std::make_shared<Value>(Value::tuple(std::move(args))), nullptr, true};
    return Value::object(std::move(instance));
  }

  Value make_global(const std::string& module, const std::string& name) {
    return Value::object(OpaqueObject{normalise_module(module), name, std::make_shared<Value>(Value::tuple()), nullptr, false});
  }

  Value& container_for_items(Value& target) {
    if (target.kind() == Value::Kind::kObject) {
      OpaqueObject& object = target.as_object_mut();
      if (!object.state) object.state = std::make_shared<Value>();
      return *object.state;
    }
    return target;
  }

  void set_items(Value& target, ValueList items) {
    if (items.size() % 2 != 0) fail("odd number of dict items");
    Value& dict = container_for_items(target);
    if (dict.is_none()) dict = Value::dict();
    if (!dict.is_dict()) fail("items set on a " + std::string(Value::kind_name(dict.kind())));
    ValueDict& entries = dict.as_dict_mut();
    for (std::size_t i = 0; i < items.size(); i += 2) {
      entries.emplace_back(std::move(items[i]), std::move(items[i + 1]));
    }
  }

  void append_items(Value& target, ValueList items) {
    Value& list = container_for_items(target);
    if (list.is_none()) list = Value::list();
    if (list.kind() != Value::Kind::kList) fail("items appended to a " + std::string(Value::kind_name(list.kind())));
    ValueList& entries = list.as_list_mut();
    for (Value& item : items) entries.push_back(std::move(item));
  }

  void step(std::uint8_t op) {
    switch (op) {
      case kProto: {
        const std::uint8_t protocol = read_u8();
        if (protocol > 5) fail("pickle protocol " + std::to_string(protocol) + " is newer than 5");
        return;
      }
      case kFrame: read_le(8); return;
      case kMark: marks_.push_back(stack_.size()); return;
      case kPop:
        if (!marks_.empty() && marks_.back() == stack_.size()) marks_.pop_back();
        else pop();
        return;
      case kPopMark: pop_to_mark(); return;
      case kDup: push(top()); return;
      case kNone: push(Value::none()); return;
      case kNewTrue: push(Value::boolean(true)); return;
      case kNewFalse: push(Value::boolean(false)); return;
      case kBinInt: push(Value::integer(static_cast<std::int32_t>(read_le(4)))); return;
      case kBinInt1: push(Value::integer(read_u8())); return;
      case kBinInt2: push(Value::integer(static_cast<std::int64_t>(read_le(2)))); return;
      case kLong1: push(integer_from_le(read_bytes(read_u8()))); return;
      case kLong4: {
        const auto n = static_cast<std::int32_t>(read_le(4));
        if (n < 0) fail("negative length");
        push(integer_from_le(read_bytes(static_cast<std::uint64_t>(n))));
        return;
      }
      case kInt: push(parse_int_text(read_line(), false)); return;
      case kLong: push(parse_int_text(read_line(), true)); return;
      case kFloat: {
        const std::string text = read_line();
        try {
          push(Value::floating(std::stod(text)));
        } catch (const std::exception&) {
          fail("bad float text");
        }
        return;
      }
      case kBinFloat: {
        const std::uint64_t be = read_le(8);
        std::uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits |= ((be >> (8 * i)) & 0xffu) << (8 * (7 - i));
        double value;
        std::memcpy(&value, &bits, sizeof(value));
        push(Value::floating(value));
        return;
      }
      case kBinUnicode: push(Value::string(read_bytes(read_le(4)))); return;
      case kShortBinUnicode: push(Value::string(read_bytes(read_u8()))); return;
      case kBinUnicode8: push(Value::string(read_bytes(read_le(8)))); return;
      case kBinString: {
        const auto n = static_cast<std::int32_t>(read_le(4));
        if (n < 0) fail("negative length");
        push(Value::string(read_bytes(static_cast<std::uint64_t>(n))));
        return;
      }
      case kShortBinString: push(Value::string(read_bytes(read_u8()))); return;
      case kBinBytes: push(Value::bytes(read_bytes(read_le(4)))); return;
      case kShortBinBytes: push(Value::bytes(read_bytes(read_u8()))); return;
      case kBinBytes8:
      case kByteArray8: push(Value::bytes(read_bytes(read_le(8)))); return;
      case kEmptyList: push(Value::list()); return;
      case kEmptyTuple: push(Value::tuple()); return;
      case kEmptyDict: push(Value::dict()); return;
      case kEmptySet: push(Value::list()); return;
      case kList: push(Value::list(pop_to_mark())); return;
      case kTuple: push(Value::tuple(pop_to_mark())); return;
      case kFrozenSet: push(Value::list(pop_to_mark())); return;
      case kTuple1: {
        Value a = pop();
        push(Value::tuple({std::move(a)}));
        return;
      }
      case kTuple2: {
        Value b = pop();
        Value a = pop();
        push(Value::tuple({std::move(a), std::move(b)}));
        return;
      }
      case kTuple3: {
        Value c = pop();
        Value b = pop();
        Value a = pop();
        push(Value::tuple({std::move(a), std::move(b), std::move(c)}));
        return;
      }
      case kDict: {
        ValueList items = pop_to_mark();
        push(Value::dict());
        set_items(top(), std::move(items));
        return;
      }
      case kAppend: {
        Value item = pop();
        append_items(top(), {std::move(item)});
        return;
      }
      case kAppends:
      case kAddItems: {
        ValueList items = pop_to_mark();
        append_items(top(), std::move(items));
        return;
      }
      case kSetItem: {
        Value value = pop();
        Value key = pop();
        set_items(top(), {std::move(key), std::move(value)});
        return;
      }
      case kSetItems: {
        ValueList items = pop_to_mark();
        set_items(top(), std::move(items));
        return;
      }
      case kGlobal: {
        const std::string module = read_line();
        const std::string name = read_line();
        push(make_global(module, name));
        return;
      }
      case kStackGlobal: {
        Value name = pop();
        Value module = pop();
        if (name.kind() != Value::Kind::kString || module.kind() != Value::Kind::kString) {
          fail("STACK_GLOBAL needs two strings");
        }
        push(make_global(module.as_string(), name.as_string()));
        return;
      }
      case kReduce: {
        Value args = pop();
        Value callable = pop();
        if (!args.is_sequence()) fail("REDUCE arguments are not a tuple");
        push(call(callable, args.as_list()));
        return;
      }
      case kNewObj: {
        Value args = pop();
        Value cls = pop();
        if (!args.is_sequence()) fail("NEWOBJ arguments are not a tuple");
        push(call(cls, args.as_list()));
        return;
      }
      case kNewObjEx: {
        Value kwargs = pop();
        Value args = pop();
        Value cls = pop();
        if (!args.is_sequence()) fail("NEWOBJ_EX arguments are not a tuple");
        ValueList all = args.as_list();
        if (kwargs.is_dict() && !kwargs.as_dict().empty()) all.push_back(kwargs);
        push(call(cls, std::move(all)));
        return;
      }
      case kObj: {
        ValueList items = pop_to_mark();
        if (items.empty()) fail("OBJ without a class");
        Value cls = items.front();
        items.erase(items.begin());
        push(call(cls, std::move(items)));
        return;
      }
      case kInst: {
        const std::string module = read_line();
        const std::string name = read_line();
        push(call(make_global(module, name), pop_to_mark()));
        return;
      }
      case kBuild: {
        Value state = pop();
        Value& target = top();
        if (target.kind() == Value::Kind::kObject) {
          OpaqueObject& object = target.as_object_mut();
          if (object.state && object.state->is_dict() && state.is_dict()) {
            for (auto& item : state.as_dict()) object.state->as_dict_mut().push_back(item);
          } else {
            object.state = std::make_shared<Value>(std::move(state));
          }
        }
        // Dicts (OrderedDict._metadata) and tensors (parameter state) carry nothing rvc needs.
        return;
      }
      case kBinPersId: {
        Value persistent_id = pop();
        if (!loader_) fail("a persistent id, but no archive to resolve it");
        push(loader_(persistent_id));
        return;
      }
      case kPersId: fail("text persistent ids are not used by PyTorch");
      case kPut: memo_put(std::stoull(read_line())); return;
      case kBinPut: memo_put(read_u8()); return;
      case kLongBinPut: memo_put(read_le(4)); return;
      case kMemoize: memo_put(memo_.size()); return;
      case kGet: memo_get(std::stoull(read_line())); return;
      case kBinGet: memo_get(read_u8()); return;
      case kLongBinGet: memo_get(read_le(4)); return;
      case kExt1:
      case kExt2:
      case kExt4:
      case kNextBuffer:
      case kReadOnlyBuffer:
      case kString:
      case kUnicode:
        throw Error(ErrorCode::kUnsupported,
                    "'" + path_ + "' uses pickle opcode " + std::to_string(op) +
                        ", which PyTorch checkpoints never contain; re-save it with torch.save");
      default: fail("unknown opcode " + std::to_string(op));
    }
  }

  const std::uint8_t* data_;
  const std::uint8_t* end_;
  const std::uint8_t* pos_;
  const PersistentLoader& loader_;
  const CheckpointLimits& limits_;
  const std::string& path_;
  std::vector<Value> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, Value> memo_;
};

class Pickler {
 public:
  explicit Pickler(const std::function<std::string(const TensorData&)>& add_storage)
      : add_storage_(add_storage) {}

  std::vector<std::uint8_t> run(const Value& root) {
    out_.push_back(kProto);
    out_.push_back(2);
    write(root, 0);
    out_.push_back(kStop);
    return std::move(out_);
  }

 private:
  void op(std::uint8_t code) { out_.push_back(code); }
  void le(std::uint64_t value, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  void raw(const std::string& text) { out_.insert(out_.end(), text.begin(), text.end()); }

  void write_int(std::int64_t value) {
    if (value >= 0 && value < 256) {
      op(kBinInt1);
      le(static_cast<std::uint64_t>(value), 1);
    } else if (value >= 0 && value < 65536) {
      op(kBinInt2);
      le(static_cast<std::uint64_t>(value), 2);
    } else if (value >= INT32_MIN && value <= INT32_MAX) {
      op(kBinInt);
      le(static_cast<std::uint32_t>(static_cast<std::int32_t>(value)), 4);
    } else {
      op(kLong1);
      op(8);
      le(static_cast<std::uint64_t>(value), 8);
    }
  }
  void write_string(const std::string& text) {
    op(kBinUnicode);
    le(text.size(), 4);
    raw(text);
  }
  void write_global(const std::string& module, const std::string& name) {
    op(kGlobal);
    raw(module + "\n" + name + "\n");
  }
  void write_int_tuple(const std::vector<std::int64_t>& values) {
    op(kMark);
    for (std::int64_t v : values) write_int(v);
    op(kTuple);
  }

  void write_tensor(const TensorData& tensor) {
    const std::string key = add_storage_(tensor);
    write_global("torch._utils", "_rebuild_tensor_v2");
    op(kMark);
    op(kMark);
    write_string("storage");
    write_global("torch", storage_class_for(tensor.dtype()));
    write_string(key);
    write_string("cpu");
    write_int(tensor.numel());
    op(kTuple);
    op(kBinPersId);
    write_int(0);
    write_int_tuple(tensor.shape());
    write_int_tuple(contiguous_strides(tensor.shape()));
    op(kNewFalse);
    write_global("collections", "OrderedDict");
    op(kEmptyTuple);
    op(kReduce);
    op(kTuple);
    op(kReduce);
  }

  void write(const Value& value, int depth) {
    if (depth > 512) throw Error(ErrorCode::kInvalidArgument, "value nested too deeply to save");
    switch (value.kind()) {
      case Value::Kind::kNone: op(kNone); return;
      case Value::Kind::kBool: op(value.as_bool() ? kNewTrue : kNewFalse); return;
      case Value::Kind::kInt: write_int(value.as_int()); return;
      case Value::Kind::kFloat: {
        const double d = value.as_float();
        std::uint64_t bits;
        std::memcpy(&bits, &d, sizeof(bits));
        op(kBinFloat);
        for (int i = 7; i >= 0; --i) out_.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
        return;
      }
      case Value::Kind::kString: write_string(value.as_string()); return;
      case Value::Kind::kBytes: {
        const std::string& bytes = value.as_string();
        op(kBinBytes);
        le(bytes.size(), 4);
        raw(bytes);
        return;
      }
      case Value::Kind::kList:
        op(kEmptyList);
        if (!value.as_list().empty()) {
          op(kMark);
          for (const Value& item : value.as_list()) write(item, depth + 1);
          op(kAppends);
        }
        return;
      case Value::Kind::kTuple:
        op(kMark);
        for (const Value& item : value.as_list()) write(item, depth + 1);
        op(kTuple);
        return;
      case Value::Kind::kDict:
        op(kEmptyDict);
        if (!value.as_dict().empty()) {
          op(kMark);
          for (const auto& [key, item] : value.as_dict()) {
            write(key, depth + 1);
            write(item, depth + 1);
          }
          op(kSetItems);
        }
        return;
      case Value::Kind::kTensor: write_tensor(value.as_tensor()); return;
      case Value::Kind::kObject: {
        const OpaqueObject& object = value.as_object();
        write_global(object.module, object.name);
        if (!object.is_instance) return;
        op(kMark);
        for (const Value& arg : object.args->as_list()) write(arg, depth + 1);
        op(kTuple);
        op(kReduce);
        if (object.state && !object.state->is_none()) {
          write(*object.state, depth + 1);
          op(kBuild);
        }
        return;
      }
    }
  }

  const std::function<std::string(const TensorData&)>& add_storage_;
  std::vector<std::uint8_t> out_;
};

}  // namespace

Value unpickle(const std::uint8_t* data, std::size_t size, const PersistentLoader& persistent_loader,
               const CheckpointLimits& limits, const std::string& path) {
  return Unpickler(data, size, persistent_loader, limits, path).run();
}

std::vector<std::uint8_t> pickle(const Value& root,
                                 const std::function<std::string(const TensorData&)>& add_storage) {
  return Pickler(add_storage).run(root);
}

DType dtype_from_storage_class(const std::string& name, const std::string& path) {
  static const std::pair<const char*, DType> kClasses[] = {
      {"FloatStorage", DType::kFloat32}, {"HalfStorage", DType::kFloat16},
      {"BFloat16Storage", DType::kBFloat16}, {"DoubleStorage", DType::kFloat64},
      {"LongStorage", DType::kInt64}, {"IntStorage", DType::kInt32},
      {"ShortStorage", DType::kInt16}, {"CharStorage", DType::kInt8},
      {"ByteStorage", DType::kUInt8}, {"BoolStorage", DType::kBool},
  };
  for (const auto& [class_name, dtype] : kClasses) {
    if (name == class_name) return dtype;
  }
  throw Error(ErrorCode::kUnsupported, "'" + path + "' holds a tensor stored as torch." + name +
                                           "; rvc reads float16/32/64, bfloat16, int8-64, uint8 "
                                           "and bool tensors");
}

const char* storage_class_for(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return "FloatStorage";
    case DType::kFloat16: return "HalfStorage";
    case DType::kBFloat16: return "BFloat16Storage";
    case DType::kFloat64: return "DoubleStorage";
    case DType::kInt64: return "LongStorage";
    case DType::kInt32: return "IntStorage";
    case DType::kInt16: return "ShortStorage";
    case DType::kInt8: return "CharStorage";
    case DType::kUInt8: return "ByteStorage";
    case DType::kBool: return "BoolStorage";
  }
  return "FloatStorage";
}

}  // namespace rvc::io
