// Captures DPDK's log lines (rte_openlog_stream) so a failed probe or EAL start can be
// reported as ONE line naming the real cause ("Couldn't open /x/y.pcap for writing"), not
// a screenful on stderr (issue 3, "Bad input"). Lines are kept in a small ring.
#pragma once

#include <cstdint>
#include <string>

namespace txcore {

class DpdkLogCapture {
 public:
  // Installs the capture as DPDK's log stream; echo=true also copies lines to stderr.
  static void install(bool echo);
  // A mark to pass to linesSince() after an operation.
  static uint64_t mark();
  // The lines logged after `mark`, joined with "; " (for a one-line message).
  static std::string linesSince(uint64_t mark);
};

}  // namespace txcore
