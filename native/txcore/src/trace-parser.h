// A streaming reader of pcap and pcapng records over bytes already in memory (the reader
// thread's double buffers). It never allocates per record and keeps only format state
// (byte order, interfaces), so a record split across two buffers is simply asked for again
// with more bytes (kNeedMore). Formats: pcap (us/ns, LE/BE), pcapng (SHB, IDB with
// if_tsresol/if_tsoffset, EPB, SPB, obsolete PB; other blocks skipped). No DPDK here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace txcore {

struct TraceRecord {
  uint32_t dataOffset = 0;  // where the frame starts, from the record's first byte
  uint32_t caplen = 0;      // captured bytes (what is sent)
  int64_t tsNs = 0;         // capture time in ns since the epoch
  bool hasTs = true;        // false for pcapng SPB (no timestamp: keeps the previous one)
  uint16_t linkType = 0;    // DLT_* of the interface
};

enum class ParseResult { kPacket, kSkip, kNeedMore, kError };

class TraceParser {
 public:
  static constexpr uint32_t kMaxCaplen = 262144;         // as libpcap/Wireshark: larger is corrupt
  static constexpr uint32_t kMaxBlockBytes = 16u << 20;  // a pcapng block larger than this is corrupt

  // Recognises the format from the file's first 4 bytes; false with `error` when it is neither.
  bool detect(const uint8_t* p, size_t n, std::string* error);
  // Back to the first byte of the file (each --loop re-reads the headers).
  void restart();
  // Parses the record at `p` (`avail` bytes available). kPacket fills `rec`; kSkip is a
  // header or non-packet block; both set `consumed`. kNeedMore: the record is incomplete.
  ParseResult next(const uint8_t* p, size_t avail, size_t* consumed, TraceRecord* rec, std::string* error);

 private:
  struct Interface {
    uint16_t linkType = 0;
    uint32_t snaplen = 0;
    uint8_t tsresol = 6;
    int64_t tsoffsetSec = 0;
  };
  ParseResult nextPcap(const uint8_t* p, size_t avail, size_t* consumed, TraceRecord* rec, std::string* error);
  ParseResult nextPcapng(const uint8_t* p, size_t avail, size_t* consumed, TraceRecord* rec, std::string* error);
  ParseResult pcapngPacket(uint32_t type, const uint8_t* p, uint32_t len, TraceRecord* rec, std::string* error);
  bool readInterface(const uint8_t* p, uint32_t len, std::string* error);
  int64_t pcapngTime(const Interface& ifc, uint64_t raw) const;
  uint32_t rd32(const uint8_t* p) const;
  uint16_t rd16(const uint8_t* p) const;

  bool pcapng_ = false;
  bool swapped_ = false;
  bool nanos_ = false;
  bool needHeader_ = true;
  uint16_t linkType_ = 0;
  std::vector<Interface> interfaces_;
};

}  // namespace txcore
