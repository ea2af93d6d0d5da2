#include "file_prefetcher.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>

namespace rogatory::store_internal {
namespace {

// MemAvailable from /proc/meminfo, in bytes; 0 when it cannot be read.
uint64_t AvailableMemory() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream fields(line.substr(13));
    uint64_t kib = 0;
    fields >> kib;
    return kib * 1024;
  }
  return 0;
}

}  // namespace

FilePrefetcher::FilePrefetcher(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size <= 0 || static_cast<uint64_t>(size) > AvailableMemory() / 2) {
    ::close(fd);
    return;
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  thread_ = std::thread([this, fd, size] {
    // readahead(2) fills the page cache without copying to this process, 4 MiB at a time so
    // that a stop request is seen soon.
    constexpr off_t kChunk = 4 << 20;
    for (off_t at = 0; at < size && !stop_.load(std::memory_order_relaxed); at += kChunk) {
      if (::readahead(fd, at, static_cast<size_t>(kChunk)) != 0) break;
    }
    ::close(fd);
  });
}

FilePrefetcher::~FilePrefetcher() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

}  // namespace rogatory::store_internal
