// The k-means reduction RVC applies to large training sets before building an index. Private to rvc.
#pragma once

#include <cstdint>
#include <functional>

#include "rvc/index/index_builder.hpp"

namespace rvc::index {

// Replaces `features` by `num_centres` k-means centres of its rows (num_centres < rows), in two
// levels so the cost stays near rows × 2·√num_centres distance evaluations per iteration instead of
// rows × num_centres: a coarse k-means with √num_centres centres on a sample, every row assigned
// to its nearest coarse centre, then within each coarse cell a k-means whose share of the centres
// is proportional to the cell's rows. Rows are regrouped in place, so memory stays at the matrix
// plus the centres. `report(fraction)` is called as cells finish; it returns false to stop (then
// this throws kCancelled). Deterministic for a given `seed` and thread count.
void reduce_by_kmeans(FeatureMatrix& features, int num_centres, std::uint64_t seed,
                      const std::function<bool(double fraction)>& report);

}  // namespace rvc::index
