#pragma once

namespace eventlens {

/// How much less CPU the threads that receive, decode, publish and load get than the thread
/// a person interacts with: a Unix nice increment (0 = the same, up to 19). Process-wide;
/// the app sets it before it starts anything, the CLI leaves it at 0.
///
/// Why: on a machine with few cores a flood keeps every receiving and decoding thread busy,
/// and with equal shares the GUI thread waits its turn for tens of milliseconds. Ingest is
/// queued and bounded, so it can afford to wait; a person cannot.
void setBackgroundNice(int increment);
int backgroundNice();
/// Called by each such thread as it starts: lowers its own priority by backgroundNice().
void lowerThisThreadToBackground();

} // namespace eventlens
