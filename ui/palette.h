#pragma once

#include "core/markcolors.h"

#include <QColor>

#include <string_view>

namespace eventlens {

/// A stable, readable colour for a service (an event's source): a light pastel fill on which
/// dark text stays readable. A name keeps its colour for the life of the process, in every
/// view. Its hash (FNV-1a, not Qt's per-run seeded qHash) picks its preferred colour of a
/// fixed set of 12; when another service already has that one, it takes the next free one.
/// Past 12 services, each further one gets a pastel of a new hue: no two services share a
/// colour. Only services take these colours (charts of event types use colorForSeries()).
/// Any thread (a mutex guards the assignments).
QColor colorForSource(std::string_view name);
/// A stable line colour for a chart series that is not a service (an event type, a topic),
/// from a set of its own (strong colours, then new hues): never one taken from the services.
/// Any thread.
QColor colorForSeries(std::string_view name);

/// The colours that mark what a person debugging a flow should notice, shared by the views
/// (graphs, table) so a mark means the same thing everywhere. Plain QRgb values: use
/// QColor(palette::kSkew).
namespace palette {

inline constexpr QRgb kText = 0xff202124;      ///< text on a source colour
inline constexpr QRgb kMutedText = 0xff5f6368; ///< secondary text (source, time)
inline constexpr QRgb kOutline = 0xff5f6368;   ///< node outlines
inline constexpr QRgb kEdge = 0xff6b7078;      ///< ordinary edges
inline constexpr QRgb kGhost = 0xff9e9e9e;     ///< unseen causes: dashed outline and text
inline constexpr QRgb kGhostFill = 0xfff4f4f4; ///< unseen causes: fill
inline constexpr QRgb kSkew = 0xffd32f2f;      ///< effect stamped before its cause (an error to look at)
inline constexpr QRgb kWarning = 0xffef6c00;   ///< milder marks (e.g. a few skewed edges among many)
inline constexpr QRgb kCritical = 0xff000000u | kCriticalPathRgb; ///< the critical path (as in DOT exports)
inline constexpr QRgb kCycle = 0xff00838f;       ///< causation cycles (teal: apart from the critical purple)
inline constexpr QRgb kSelection = 0xff1976d2;   ///< the selected event
inline constexpr QRgb kRedelivery = 0xfff9a825;  ///< duplicate badge: the same bytes delivered again
inline constexpr QRgb kIdCollision = 0xffc62828; ///< duplicate badge: the same id on different content
inline constexpr QRgb kTypeFill = 0xffffffff;    ///< event-type pills in the topology
inline constexpr QRgb kUnconsumed = 0xff8d6e63;  ///< event types nobody reacts to
inline constexpr qreal kFadedOpacity = 0.45;     ///< events of another flow, drawn for context

} // namespace palette

} // namespace eventlens
