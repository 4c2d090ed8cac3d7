#pragma once

#include <QFont>
#include <QString>

#include <cstdint>
#include <string_view>

namespace eventlens {

/// Core's UTF-8 text (names, ids, messages) as Qt text: no copy on the core side.
inline QString qs(std::string_view s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

/// A count with its thousands grouped by a narrow no-break space, "1 000 000": how the
/// window writes every count (the CLI's formatCount writes "1,000,000").
inline QString grouped(uint64_t n)
{
    QString digits = QString::number(qulonglong(n));
    for (qsizetype i = digits.size() - 3; i > 0; i -= 3)
        digits.insert(i, QChar(0x202F));
    return digits;
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
