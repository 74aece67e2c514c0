#include "dpdk-log-capture.h"

#include <rte_log.h>

#include <array>
#include <cstdio>
#include <mutex>

namespace txcore {
namespace {

constexpr size_t kKeptLines = 32;

struct CaptureState {
  std::mutex lock;
  std::array<std::string, kKeptLines> lines;
  uint64_t written = 0;  // total lines ever captured
  std::string partial;
  bool echo = false;
};

CaptureState& state() {
  static CaptureState s;
  return s;
}

std::string trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

ssize_t captureWrite(void*, const char* buf, size_t size) {
  CaptureState& s = state();
  std::lock_guard<std::mutex> guard(s.lock);
  if (s.echo) fwrite(buf, 1, size, stderr);
  s.partial.append(buf, size);
  size_t nl;
  while ((nl = s.partial.find('\n')) != std::string::npos) {
    std::string line = trimmed(s.partial.substr(0, nl));
    s.partial.erase(0, nl + 1);
    if (line.empty()) continue;
    s.lines[s.written % kKeptLines] = std::move(line);
    s.written++;
  }
  return static_cast<ssize_t>(size);
}

}  // namespace

void DpdkLogCapture::install(bool echo) {
  state().echo = echo;
  cookie_io_functions_t io{};
  io.write = captureWrite;
  FILE* stream = fopencookie(nullptr, "w", io);
  if (stream == nullptr) return;  // keep DPDK's default (stderr)
  setvbuf(stream, nullptr, _IOLBF, 0);
  rte_openlog_stream(stream);
}

uint64_t DpdkLogCapture::mark() {
  std::lock_guard<std::mutex> guard(state().lock);
  return state().written;
}

std::string DpdkLogCapture::linesSince(uint64_t mark) {
  CaptureState& s = state();
  std::lock_guard<std::mutex> guard(s.lock);
  std::string out;
  uint64_t first = s.written - mark > kKeptLines ? s.written - kKeptLines : mark;
  for (uint64_t i = first; i < s.written; i++) {
    if (!out.empty()) out += "; ";
    out += s.lines[i % kKeptLines];
  }
  return out;
}

}  // namespace txcore
