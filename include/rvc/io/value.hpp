/// @file value.hpp
/// @brief The tree of Python values that a checkpoint holds, without Python.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "rvc/io/tensor_data.hpp"

namespace rvc::io {

class Value;
/// Items of a list or tuple.
using ValueList = std::vector<Value>;
/// Entries of a dict, in insertion order (keys are usually strings).
using ValueDict = std::vector<std::pair<Value, Value>>;

/// An instance of a Python class that rvc does not interpret (argparse.Namespace, omegaconf
/// containers, fairseq's Dictionary, ...). Nothing is executed: the object keeps the arguments it
/// was constructed with and the state it was given, so its content can still be read.
struct OpaqueObject {
  std::string module;  ///< "argparse"
  std::string name;    ///< "Namespace"
  std::shared_ptr<Value> args;      ///< Constructor arguments, a tuple (empty for a class reference).
  std::shared_ptr<Value> state;     ///< What pickle's BUILD set (None when absent).
  bool is_instance = false;         ///< False for a reference to the class itself.
  /// "module.name"
  std::string qualified_name() const { return module + "." + name; }
};

/// One Python value. Containers are shared, as in Python: copying a Value copies a reference.
class Value {
 public:
  /// What a Value holds; the numbers equal the C ABI's rvc_value_kind.
  enum class Kind { kNone, kBool, kInt, kFloat, kString, kBytes, kList, kTuple, kDict, kTensor, kObject };

  Value() = default;                                  ///< None.
  Value(const Value&) = default;                      ///< Shares containers.
  Value(Value&&) noexcept = default;                  ///< Moves.
  Value& operator=(const Value&) = default;           ///< Shares containers.
  Value& operator=(Value&&) noexcept = default;       ///< Moves.
  /// Releases nested containers iteratively, so that arbitrarily deep trees from hostile files
  /// cannot overflow the stack.
  ~Value();

  static Value none() { return Value(); }    ///< Python None.
  static Value boolean(bool value);          ///< bool
  static Value integer(std::int64_t value);  ///< int
  static Value floating(double value);       ///< float
  static Value string(std::string value);    ///< str (UTF-8)
  static Value bytes(std::string value);     ///< bytes
  static Value list(ValueList items = {});   ///< list
  static Value tuple(ValueList items = {});  ///< tuple
  static Value dict(ValueDict items = {});   ///< dict
  static Value tensor(TensorData tensor);    ///< tensor
  static Value object(OpaqueObject object);  ///< opaque object

  Kind kind() const noexcept { return kind_; }  ///< What this holds.
  bool is_none() const noexcept { return kind_ == Kind::kNone; }  ///< None?
  bool is_dict() const noexcept { return kind_ == Kind::kDict; }  ///< dict?
  /// list or tuple?
  bool is_sequence() const noexcept { return kind_ == Kind::kList || kind_ == Kind::kTuple; }

  /// Typed access; each throws rvc::Error (kCorruptFile) naming the expected and actual kind.
  bool as_bool() const;          ///< bool (or int != 0)
  std::int64_t as_int() const;   ///< int (or bool)
  double as_float() const;  ///< Accepts ints too.
  const std::string& as_string() const;  ///< str or bytes
  const ValueList& as_list() const;      ///< list or tuple
  ValueList& as_list_mut();              ///< Mutable list or tuple.
  const ValueDict& as_dict() const;       ///< dict entries
  ValueDict& as_dict_mut();              ///< Mutable dict entries.
  const TensorData& as_tensor() const;    ///< tensor
  const OpaqueObject& as_object() const;  ///< opaque object
  OpaqueObject& as_object_mut();          ///< Mutable opaque object.

  /// Dict lookup by string key; nullptr when absent or when this is not a dict.
  const Value* find(const std::string& key) const;
  /// Dict lookup by string key that throws when absent.
  const Value& at(const std::string& key) const;
  /// Sets or replaces a string key of a dict.
  void set(const std::string& key, Value value);

  /// Python's name for a kind ("dict", "tensor", ...).
  static const char* kind_name(Kind kind) noexcept;

 private:
  using Payload = std::variant<std::monostate, bool, std::int64_t, double, std::string,
                               std::shared_ptr<ValueList>, std::shared_ptr<ValueDict>,
                               std::shared_ptr<TensorData>, std::shared_ptr<OpaqueObject>>;
  Value(Kind kind, Payload payload) : kind_(kind), payload_(std::move(payload)) {}
  [[noreturn]] void throw_kind(const char* expected) const;
  // Moves the children of a container this Value solely owns into `out`, leaving it empty.
  void take_children(std::vector<Value>& out);

  Kind kind_ = Kind::kNone;
  Payload payload_;
};

}  // namespace rvc::io
