// The text encoder's relative-position attention, built a block of queries at a time into reused
// buffers, against the whole score matrix written out as attentions.py defines it.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "synth/synthesizer_net.hpp"

namespace rvc::synth {
namespace {

// attentions.py's MultiHeadAttention (window w, no proximal bias): softmax(q·kᵀ/√d + q·E_k[j−i])
// over all keys, then weights·v + Σ weights·E_v[j−i], for |j − i| ≤ w; offsets past the window
// have zero embeddings.
torch::Tensor whole_matrix_attention(RelativeAttention& attention, const torch::Tensor& x) {
  const int64_t batch = x.size(0), channels = x.size(1), length = x.size(2);
  const int64_t heads = attention.heads, head_dim = attention.head_dim, window = attention.window;
  auto split = [&](const torch::Tensor& y) { return y.view({batch, heads, head_dim, length}).transpose(2, 3); };
  const torch::Tensor query = split(attention.conv_q(x)) / std::sqrt(static_cast<double>(head_dim));
  const torch::Tensor key = split(attention.conv_k(x)), value = split(attention.conv_v(x));
  torch::Tensor scores = torch::matmul(query, key.transpose(2, 3));
  for (int64_t offset = -window; offset <= window; ++offset) {
    const int64_t first_row = std::max<int64_t>(0, -offset), count = length - std::abs(offset);
    const torch::Tensor logits = torch::matmul(query, attention.emb_rel_k[0][offset + window]);  // [B, H, L]
    scores.diagonal(offset, 2, 3).add_(logits.narrow(2, first_row, count));
  }
  const torch::Tensor weights = torch::softmax(scores, -1);
  torch::Tensor output = torch::matmul(weights, value);
  for (int64_t offset = -window; offset <= window; ++offset) {
    const int64_t first_row = std::max<int64_t>(0, -offset), count = length - std::abs(offset);
    const torch::Tensor band = weights.diagonal(offset, 2, 3).unsqueeze(-1);  // [B, H, count, 1]
    output.narrow(2, first_row, count).add_(band * attention.emb_rel_v[0][offset + window]);
  }
  return attention.conv_o(output.transpose(2, 3).reshape({batch, channels, length}));
}

TEST(RelativeAttention, BlocksOfQueriesMatchTheWholeScoreMatrix) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(7);
  RelativeAttention attention(8, 2, 10);
  for (auto& parameter : attention.parameters()) parameter.normal_(0.0, 0.5);
  attention.emb_rel_k.normal_(0.0, 0.5);
  attention.emb_rel_v.normal_(0.0, 0.5);
  // Long enough for several blocks of queries (8 MB of scores each: ~350 rows here), and the
  // same buffers carried into a second, shorter call, as from one layer to the next.
  torch_util::AttentionScratch scratch;
  for (const int64_t length : {3000, 1700}) {
    const torch::Tensor x = torch::randn({1, 8, length});
    const torch::Tensor mask = torch::ones({1, 1, length});
    const torch::Tensor blocked = attention.forward(x, mask, scratch);
    const torch::Tensor expected = whole_matrix_attention(attention, x);
    EXPECT_LT((blocked - expected).abs().max().item<double>(), 1e-5) << length << " frames";
  }
}

// Inference mode is per thread: the blocks that LibTorch's other threads run must see the caller's,
// or writing into the inference tensors they are handed throws.
TEST(RelativeAttention, BlocksSplitAcrossThreadsInInferenceModeMatchOneThread) {
  c10::InferenceMode inference;
  torch::manual_seed(11);
  RelativeAttention attention(8, 2, 10);
  for (auto& parameter : attention.parameters()) parameter.normal_(0.0, 0.5);
  const torch::Tensor x = torch::randn({1, 8, 2500});
  const torch::Tensor mask = torch::ones({1, 1, 2500});
  torch_util::AttentionScratch scratch;
  at::set_num_threads(1);
  const torch::Tensor one_thread = attention.forward(x, mask, scratch);
  at::set_num_threads(2);
  const torch::Tensor two_threads = attention.forward(x, mask, scratch);
  EXPECT_LT((one_thread - two_threads).abs().max().item<double>(), 1e-6);
}

TEST(AttentionScratch, BlocksCoverEveryRowOnceWithinTheLimit) {
  at::set_num_threads(2);
  torch_util::AttentionScratch scratch;
  for (const int64_t length : {1, 2, 5, 999}) {
    for (const int64_t max_rows : {1, 3, 100000}) {
      std::vector<std::atomic<int>> seen(static_cast<std::size_t>(length));
      std::atomic<int64_t> largest{0};
      scratch.for_each_block(length, max_rows, true, [&](int64_t first, int64_t rows,
                                                         torch_util::AttentionScratch::Buffers&) {
        int64_t previous = largest.load();
        while (rows > previous && !largest.compare_exchange_weak(previous, rows)) {
        }
        for (int64_t row = first; row < first + rows; ++row) ++seen[static_cast<std::size_t>(row)];
      });
      for (int64_t row = 0; row < length; ++row) {
        ASSERT_EQ(seen[static_cast<std::size_t>(row)], 1) << "row " << row << " of " << length << ", at most " << max_rows;
      }
      EXPECT_LE(largest.load(), max_rows) << length << " rows";
    }
  }
}

}  // namespace
}  // namespace rvc::synth
