#pragma once

#include <QFont>
#include <QString>

#include <string_view>

namespace eventlens {

/// Core's UTF-8 text (names, ids, messages) as Qt text: no copy on the core side.
inline QString qs(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

/// The graphs' fonts: pixel sizes, so a drawing's proportions do not change with the
/// screen's DPI setting (the layout reserved room for exactly this text).
inline QFont pixelFont(int pixelSize, bool bold = false, bool italic = false)
{
    QFont f;
    f.setPixelSize(pixelSize);
    f.setBold(bold);
    f.setItalic(italic);
    return f;
}

} // namespace eventlens
