#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "rvc/io/tensor_data.hpp"

namespace rvc::io {
namespace {

TEST(HalfConversion, EveryHalfValueRoundTripsThroughFloat) {
  for (std::uint32_t bits = 0; bits < 0x10000; ++bits) {
    const auto half = static_cast<std::uint16_t>(bits);
    const float value = half_to_float(half);
    if (std::isnan(value)) {
      EXPECT_TRUE(std::isnan(half_to_float(float_to_half(value)))) << bits;
      continue;
    }
    ASSERT_EQ(float_to_half(value), half) << "half bits " << bits << " value " << value;
  }
}

TEST(HalfConversion, KnownValuesAndRounding) {
  EXPECT_EQ(half_to_float(0x3c00), 1.0f);
  EXPECT_EQ(half_to_float(0xc000), -2.0f);
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(half_to_float(0x7bff), 65504.0f);
  EXPECT_TRUE(std::isinf(half_to_float(0x7c00)));
  EXPECT_EQ(float_to_half(65520.0f), 0x7c00);        // rounds up to infinity
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie to even (down)
  EXPECT_EQ(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);  // tie to even (up)
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -25)), 0x0000);  // tie to even at zero
  EXPECT_EQ(float_to_half(std::ldexp(1.5f, -25)), 0x0001);
}

TEST(BFloat16Conversion, RoundsToNearestEven) {
  EXPECT_EQ(bfloat16_to_float(0x3f80), 1.0f);
  EXPECT_EQ(float_to_bfloat16(1.0f), 0x3f80);
  EXPECT_EQ(float_to_bfloat16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);   // tie, even stays
  EXPECT_EQ(float_to_bfloat16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);
  for (std::uint32_t bits = 0; bits < 0x10000; bits += 7) {
    const float value = bfloat16_to_float(static_cast<std::uint16_t>(bits));
    if (!std::isnan(value)) EXPECT_EQ(float_to_bfloat16(value), bits);
  }
}

TEST(TensorData, StridedViewCopiesInRowMajorOrder) {
  std::vector<float> values(12);
  for (int i = 0; i < 12; ++i) values[i] = static_cast<float>(i);
  const TensorData base = TensorData::from_floats({3, 4}, values);
  // The transpose: shape [4, 3], strides [1, 4].
  const TensorData transposed(DType::kFloat32, {4, 3}, {1, 4}, 0, base.storage());
  EXPECT_FALSE(transposed.is_contiguous());
  const std::vector<float> expected{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11};
  EXPECT_EQ(transposed.to_floats(), expected);
  // A column slice with an offset: base[:, 1].
  const TensorData column(DType::kFloat32, {3}, {4}, 1, base.storage());
  EXPECT_EQ(column.to_floats(), (std::vector<float>{1, 5, 9}));
  std::vector<float> copied(3);
  column.copy_contiguous_to(copied.data());
  EXPECT_EQ(copied, (std::vector<float>{1, 5, 9}));
  EXPECT_EQ(column.description(), "float32[3]");
}

TEST(TensorData, ConvertsIntegerAndBoolElements) {
  const std::vector<std::uint8_t> bytes{1, 0, 1};
  const TensorData flags = TensorData::from_bytes(DType::kBool, {3}, bytes);
  EXPECT_EQ(flags.to_int64s(), (std::vector<std::int64_t>{1, 0, 1}));
  std::vector<std::uint8_t> raw(2 * sizeof(std::int16_t));
  const std::int16_t shorts[2] = {-300, 42};
  std::memcpy(raw.data(), shorts, raw.size());
  const TensorData ints = TensorData::from_bytes(DType::kInt16, {2}, raw);
  EXPECT_EQ(ints.to_floats(), (std::vector<float>{-300.0f, 42.0f}));
}

TEST(TensorData, ScalarAndEmptyTensors) {
  const TensorData scalar = TensorData::from_floats({}, {2.5f});
  EXPECT_EQ(scalar.numel(), 1);
  EXPECT_EQ(scalar.to_floats(), std::vector<float>{2.5f});
  const TensorData empty = TensorData::from_floats({0, 5}, {});
  EXPECT_EQ(empty.numel(), 0);
  EXPECT_TRUE(empty.to_floats().empty());
}

}  // namespace
}  // namespace rvc::io
