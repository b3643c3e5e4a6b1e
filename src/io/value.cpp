#include "rvc/io/value.hpp"

#include "rvc/error.hpp"

namespace rvc::io {

Value Value::boolean(bool value) { return Value(Kind::kBool, value); }
Value Value::integer(std::int64_t value) { return Value(Kind::kInt, value); }
Value Value::floating(double value) { return Value(Kind::kFloat, value); }
Value Value::string(std::string value) { return Value(Kind::kString, std::move(value)); }
Value Value::bytes(std::string value) { return Value(Kind::kBytes, std::move(value)); }
Value Value::list(ValueList items) {
  return Value(Kind::kList, std::make_shared<ValueList>(std::move(items)));
}
Value Value::tuple(ValueList items) {
  return Value(Kind::kTuple, std::make_shared<ValueList>(std::move(items)));
}
Value Value::dict(ValueDict items) {
  return Value(Kind::kDict, std::make_shared<ValueDict>(std::move(items)));
}
Value Value::tensor(TensorData tensor) {
  return Value(Kind::kTensor, std::make_shared<TensorData>(std::move(tensor)));
}
Value Value::object(OpaqueObject object) {
  return Value(Kind::kObject, std::make_shared<OpaqueObject>(std::move(object)));
}

Value::~Value() {
  std::vector<Value> pending;
  take_children(pending);
  while (!pending.empty()) {
    Value last = std::move(pending.back());
    pending.pop_back();
    last.take_children(pending);
  }  // each `last` is destroyed with empty containers, so destruction never recurses deeply
}

void Value::take_children(std::vector<Value>& out) {
  switch (kind_) {
    case Kind::kList:
    case Kind::kTuple: {
      auto& list = std::get<std::shared_ptr<ValueList>>(payload_);
      if (list && list.use_count() == 1) {
        for (Value& item : *list) out.push_back(std::move(item));
        list->clear();
      }
      return;
    }
    case Kind::kDict: {
      auto& dict = std::get<std::shared_ptr<ValueDict>>(payload_);
      if (dict && dict.use_count() == 1) {
        for (auto& [key, item] : *dict) {
          out.push_back(std::move(key));
          out.push_back(std::move(item));
        }
        dict->clear();
      }
      return;
    }
    case Kind::kObject: {
      auto& object = std::get<std::shared_ptr<OpaqueObject>>(payload_);
      if (object && object.use_count() == 1) {
        if (object->args && object->args.use_count() == 1) out.push_back(std::move(*object->args));
        if (object->state && object->state.use_count() == 1) out.push_back(std::move(*object->state));
        object->args.reset();
        object->state.reset();
      }
      return;
    }
    default: return;
  }
}

const char* Value::kind_name(Kind kind) noexcept {
  switch (kind) {
    case Kind::kNone: return "None";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kFloat: return "float";
    case Kind::kString: return "str";
    case Kind::kBytes: return "bytes";
    case Kind::kList: return "list";
    case Kind::kTuple: return "tuple";
    case Kind::kDict: return "dict";
    case Kind::kTensor: return "tensor";
    case Kind::kObject: return "object";
  }
  return "unknown";
}

void Value::throw_kind(const char* expected) const {
  throw Error(ErrorCode::kCorruptFile,
              std::string("expected a ") + expected + " but found a " + kind_name(kind_));
}

bool Value::as_bool() const {
  if (kind_ == Kind::kBool) return std::get<bool>(payload_);
  if (kind_ == Kind::kInt) return std::get<std::int64_t>(payload_) != 0;
  throw_kind("bool");
}

std::int64_t Value::as_int() const {
  if (kind_ == Kind::kInt) return std::get<std::int64_t>(payload_);
  if (kind_ == Kind::kBool) return std::get<bool>(payload_) ? 1 : 0;
  throw_kind("int");
}

double Value::as_float() const {
  if (kind_ == Kind::kFloat) return std::get<double>(payload_);
  if (kind_ == Kind::kInt) return static_cast<double>(std::get<std::int64_t>(payload_));
  throw_kind("float");
}

const std::string& Value::as_string() const {
  if (kind_ == Kind::kString || kind_ == Kind::kBytes) return std::get<std::string>(payload_);
  throw_kind("str");
}

const ValueList& Value::as_list() const {
  if (is_sequence()) return *std::get<std::shared_ptr<ValueList>>(payload_);
  throw_kind("list");
}

ValueList& Value::as_list_mut() {
  if (is_sequence()) return *std::get<std::shared_ptr<ValueList>>(payload_);
  throw_kind("list");
}

const ValueDict& Value::as_dict() const {
  if (kind_ == Kind::kDict) return *std::get<std::shared_ptr<ValueDict>>(payload_);
  throw_kind("dict");
}

ValueDict& Value::as_dict_mut() {
  if (kind_ == Kind::kDict) return *std::get<std::shared_ptr<ValueDict>>(payload_);
  throw_kind("dict");
}

const TensorData& Value::as_tensor() const {
  if (kind_ == Kind::kTensor) return *std::get<std::shared_ptr<TensorData>>(payload_);
  throw_kind("tensor");
}

const OpaqueObject& Value::as_object() const {
  if (kind_ == Kind::kObject) return *std::get<std::shared_ptr<OpaqueObject>>(payload_);
  throw_kind("object");
}

OpaqueObject& Value::as_object_mut() {
  if (kind_ == Kind::kObject) return *std::get<std::shared_ptr<OpaqueObject>>(payload_);
  throw_kind("object");
}

const Value* Value::find(const std::string& key) const {
  if (kind_ != Kind::kDict) return nullptr;
  for (const auto& [k, v] : as_dict()) {
    if (k.kind_ == Kind::kString && std::get<std::string>(k.payload_) == key) return &v;
  }
  return nullptr;
}

const Value& Value::at(const std::string& key) const {
  const Value* found = find(key);
  if (found == nullptr) {
    throw Error(ErrorCode::kCorruptFile, "the key '" + key + "' is missing");
  }
  return *found;
}

void Value::set(const std::string& key, Value value) {
  ValueDict& items = as_dict_mut();
  for (auto& [k, v] : items) {
    if (k.kind_ == Kind::kString && std::get<std::string>(k.payload_) == key) {
      v = std::move(value);
      return;
    }
  }
  items.emplace_back(Value::string(key), std::move(value));
}

}  // namespace rvc::io
