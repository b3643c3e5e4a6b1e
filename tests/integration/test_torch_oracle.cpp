// Round trips against PyTorch itself: Python writes -> rvc reads, rvc writes -> Python reads.
#include <gtest/gtest.h>

#include <cstring>

#include "rvc/io/checkpoint.hpp"
#include "test_util.hpp"

namespace rvc::io {
namespace {

using test::ScratchDir;
using test::shell_quote;

const char* kDtypeNames[] = {"float16", "bfloat16", "float32", "float64", "int64",
                             "int32",   "int16",    "int8",    "uint8",   "bool"};
const DType kDtypes[] = {DType::kFloat16, DType::kBFloat16, DType::kFloat32, DType::kFloat64, DType::kInt64,
                         DType::kInt32,   DType::kInt16,    DType::kInt8,    DType::kUInt8,   DType::kBool};

// The same formula as tests/oracle/torch_reference.py.
double formula(const std::string& dtype, std::int64_t i) {
  if (dtype == "bool") return i % 3 == 1 ? 1.0 : 0.0;
  if (dtype == "uint8") return static_cast<double>(i % 251);
  if (dtype.rfind("int", 0) == 0) return static_cast<double>(i - 12);
  return static_cast<double>(i) * 0.5 - 3.0;
}

int oracle(const std::string& verb, const std::string& path, const std::string& second_path = "") {
  std::string command = std::string(RVC_TEST_PYTHON) + " " +
                        shell_quote(std::string(RVC_TEST_ORACLE_DIR) + "/torch_reference.py") + " " + verb +
                        " " + shell_quote(path);
  if (!second_path.empty()) command += " " + shell_quote(second_path);
  return test::run_command(command);
}

TEST(TorchOracle, RvcReadsWhatTorchSaveWrote) {
  ScratchDir dir;
  const std::string path = dir.file("written by torch (声音).pth");
  ASSERT_EQ(oracle("write", path), 0) << "the Python oracle failed; is python3-torch installed?";
  const Value root = load_checkpoint(path);

  for (std::size_t d = 0; d < std::size(kDtypeNames); ++d) {
    const TensorData& t = root.at("tensors").at(kDtypeNames[d]).as_tensor();
    EXPECT_EQ(t.dtype(), kDtypes[d]) << kDtypeNames[d];
    ASSERT_EQ(t.shape(), (std::vector<std::int64_t>{2, 3, 4})) << kDtypeNames[d];
    const std::vector<float> values = t.to_floats();
    for (std::int64_t i = 0; i < 24; ++i) {
      ASSERT_EQ(values[i], static_cast<float>(formula(kDtypeNames[d], i))) << kDtypeNames[d] << " [" << i << "]";
    }
  }
  const Value& views = root.at("views");
  const TensorData& transposed = views.at("transposed").as_tensor();
  EXPECT_EQ(transposed.shape(), (std::vector<std::int64_t>{4, 3, 2}));
  EXPECT_EQ(transposed.strides(), (std::vector<std::int64_t>{1, 4, 12}));
  const std::vector<float> tv = transposed.to_floats();
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 2; ++c)
        EXPECT_EQ(tv[(a * 3 + b) * 2 + c], formula("float32", c * 12 + b * 4 + a));
  const TensorData& sliced = views.at("sliced").as_tensor();
  EXPECT_EQ(sliced.storage_offset(), 10);
  const std::vector<float> sv = sliced.to_floats();
  ASSERT_EQ(sv.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(sv[i], formula("float32", 10 + 3 * i));
  EXPECT_EQ(views.at("column").as_tensor().to_floats(),
            (std::vector<float>{static_cast<float>(formula("float32", 14)), static_cast<float>(formula("float32", 18)),
                                static_cast<float>(formula("float32", 22))}));
  EXPECT_EQ(views.at("scalar").as_tensor().to_floats(), std::vector<float>{7.25f});
  EXPECT_EQ(views.at("empty").as_tensor().numel(), 0);

  const ValueList& nested = root.at("nested").as_list();
  ASSERT_EQ(nested.size(), 9u);
  EXPECT_EQ(nested[0].as_int(), 1);
  EXPECT_EQ(nested[1].as_int(), -2);
  EXPECT_EQ(nested[2].as_float(), 3.5);
  EXPECT_EQ(nested[3].as_string(), "utf8 声音");
  EXPECT_TRUE(nested[4].is_none());
  EXPECT_TRUE(nested[5].as_bool());
  EXPECT_FALSE(nested[6].as_bool());
  EXPECT_EQ(nested[7].kind(), Value::Kind::kBytes);
  EXPECT_EQ(nested[7].as_string(), std::string("\x00\xffraw", 5));
  EXPECT_EQ(nested[8].kind(), Value::Kind::kTuple);
  EXPECT_EQ(root.at("big").as_int(), 1LL << 40);
  EXPECT_EQ(root.at("negative").as_int(), -(1LL << 40));

  const OpaqueObject& ns = root.at("namespace").as_object();
  EXPECT_EQ(ns.qualified_name(), "argparse.Namespace");
  ASSERT_TRUE(ns.state);
  EXPECT_DOUBLE_EQ(ns.state->at("lr").as_float(), 0.0001);
  EXPECT_EQ(ns.state->at("name").as_string(), "exp (声音)");
  const ValueDict& ordered = root.at("ordered").as_dict();
  ASSERT_EQ(ordered.size(), 2u);
  EXPECT_EQ(ordered[0].first.as_string(), "b");
  EXPECT_EQ(root.at("parameter").as_tensor().shape(), (std::vector<std::int64_t>{2, 3}));
}

TEST(TorchOracle, TorchLoadReadsWhatRvcWrote) {
  ScratchDir dir;
  Value tensors = Value::dict();
  for (std::size_t d = 0; d < std::size(kDtypeNames); ++d) {
    std::vector<std::uint8_t> bytes(24 * dtype_size(kDtypes[d]));
    for (std::int64_t i = 0; i < 24; ++i) {
      const double v = formula(kDtypeNames[d], i);
      std::uint8_t* p = bytes.data() + i * dtype_size(kDtypes[d]);
      switch (kDtypes[d]) {
        case DType::kFloat16: { const std::uint16_t h = float_to_half(static_cast<float>(v)); std::memcpy(p, &h, 2); break; }
        case DType::kBFloat16: { const std::uint16_t h = float_to_bfloat16(static_cast<float>(v)); std::memcpy(p, &h, 2); break; }
        case DType::kFloat32: { const float f = static_cast<float>(v); std::memcpy(p, &f, 4); break; }
        case DType::kFloat64: std::memcpy(p, &v, 8); break;
        case DType::kInt64: { const std::int64_t x = static_cast<std::int64_t>(v); std::memcpy(p, &x, 8); break; }
        case DType::kInt32: { const std::int32_t x = static_cast<std::int32_t>(v); std::memcpy(p, &x, 4); break; }
        case DType::kInt16: { const std::int16_t x = static_cast<std::int16_t>(v); std::memcpy(p, &x, 2); break; }
        case DType::kInt8: { const std::int8_t x = static_cast<std::int8_t>(v); std::memcpy(p, &x, 1); break; }
        case DType::kUInt8:
        case DType::kBool: *p = static_cast<std::uint8_t>(v); break;
      }
    }
    tensors.set(kDtypeNames[d], Value::tensor(TensorData::from_bytes(kDtypes[d], {2, 3, 4}, bytes)));
  }
  std::vector<float> base(24);
  for (int i = 0; i < 24; ++i) base[i] = static_cast<float>(formula("float32", i));
  const TensorData cube = TensorData::from_floats({2, 3, 4}, base);
  Value views = Value::dict();
  views.set("transposed", Value::tensor(TensorData(DType::kFloat32, {4, 3, 2}, {1, 4, 12}, 0, cube.storage())));

  Value root = Value::dict();
  root.set("tensors", tensors);
  root.set("views", views);
  root.set("nested", Value::list({Value::integer(1), Value::integer(-2), Value::floating(3.5), Value::string("utf8 声音"),
                                  Value::none(), Value::boolean(true), Value::boolean(false),
                                  Value::bytes(std::string("\x00\xffraw", 5)),
                                  Value::tuple({Value::integer(1), Value::integer(2), Value::integer(3)})}));
  root.set("big", Value::integer(1LL << 40));
  root.set("negative", Value::integer(-(1LL << 40)));
  root.set("empty", Value::tensor(TensorData::from_floats({0, 5}, {})));
  root.set("config", Value::list({Value::integer(1025), Value::integer(32), Value::integer(192), Value::floating(0.0),
                                  Value::string("1"),
                                  Value::list({Value::integer(3), Value::integer(7), Value::integer(11)}),
                                  Value::list({Value::list({Value::integer(1), Value::integer(3), Value::integer(5)})})}));
  const std::string path = dir.file("written by rvc (声音).pth");
  save_checkpoint(path, root);

  // What torch's weights-only loader accepts: no floats (torch 1.13 lacks BINFLOAT) and no bytes.
  Value weights = Value::dict();
  for (const char* key : {"tensors", "views", "big", "negative", "empty"}) weights.set(key, root.at(key));
  Value inner = Value::dict();
  inner.set("k", Value::list({Value::integer(7)}));
  weights.set("nested", Value::list({Value::integer(1), Value::integer(-2), Value::string("utf8 声音"), Value::none(),
                                     Value::boolean(true), Value::boolean(false),
                                     Value::tuple({Value::integer(1), Value::integer(2), Value::integer(3)}), inner}));
  const std::string weights_path = dir.file("weights only.pth");
  save_checkpoint(weights_path, weights);
  EXPECT_EQ(oracle("verify", path, weights_path), 0);
}

}  // namespace
}  // namespace rvc::io
