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

/// Bytes at most of an input string that a widget shows (see elided()).
constexpr size_t kShownBytes = 200;

/// "340 KB", "12.0 MB": a string's size, for the note of an elided one.
inline QString sizeText(size_t bytes)
{
    if (bytes >= 1000 * 1000)
        return QStringLiteral("%1 MB").arg(double(bytes) / 1e6, 0, 'f', 1);
    if (bytes >= 1000)
        return QStringLiteral("%1 KB").arg(double(bytes) / 1e3, 0, 'f', 0);
    return QStringLiteral("%1 bytes").arg(bytes);
}

/// Core's text as a widget shows it: whole when short; otherwise its first `maxBytes` bytes
/// (cut at a character boundary) and "… (12.6 MB)". Strings from input may be megabytes
/// long (legal up to the event size limit), and a label, a table cell, a node or a combo
/// box lays out all of it: minutes, frozen. Every input string a widget shows goes through
/// this; the full value stays reachable (Details' copy actions and JSON tree, the CLI).
inline QString elided(std::string_view s, size_t maxBytes = kShownBytes)
{
    if (s.size() <= maxBytes)
        return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
    size_t cut = maxBytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
        --cut;
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(cut)) + QStringLiteral("… (%1)").arg(sizeText(s.size()));
}

/// The same for text already in Qt's hands (counted in UTF-16 units rather than bytes).
inline QString elided(const QString &s, qsizetype maxChars = kShownBytes)
{
    if (s.size() <= maxChars)
        return s;
    qsizetype cut = maxChars;
    if (cut > 0 && s.at(cut).isLowSurrogate())
        --cut;
    return s.left(cut) + QStringLiteral("… (%1)").arg(sizeText(size_t(s.toUtf8().size())));
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
