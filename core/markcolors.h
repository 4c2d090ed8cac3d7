#pragma once

#include <cstdint>

namespace eventlens {

/// The colour that marks a flow's critical path wherever it is drawn: the app's graphs
/// (ui/palette.h takes it from here) and the Graphviz DOT that `flow --format dot` prints and
/// the app exports. One place, so the file and the window never disagree (core has no Qt: a
/// plain 0xRRGGBB and its "#rrggbb" text).
inline constexpr uint32_t kCriticalPathRgb = 0x7b1fa2; ///< purple
inline constexpr const char *kCriticalPathHex = "#7b1fa2";

static_assert(kCriticalPathRgb == 0x7b1fa2 && kCriticalPathHex[1] == '7' && kCriticalPathHex[6] == '2',
              "kCriticalPathRgb and kCriticalPathHex name the same colour");

} // namespace eventlens
