// Reading a database file ahead of a scan: the audit walks the history b-tree in key order, and
// a b-tree filled by many writers at once keeps consecutive keys on pages scattered over the
// file, so a cold scan waits on one small random read per page. Reading the file front to back
// once instead (hundreds of MB/s on a disk that does a few MB/s of random 4 KiB reads) puts
// those pages in the OS page cache before the scan asks for them.
#ifndef ROGATORY_ADAPTERS_STORE_FILE_PREFETCHER_H_
#define ROGATORY_ADAPTERS_STORE_FILE_PREFETCHER_H_

#include <atomic>
#include <string>
#include <thread>

namespace rogatory::store_internal {

class FilePrefetcher {
 public:
  // Starts reading `path` front to back on a thread of its own, but only when the file fits in
  // half of the memory the kernel reports available (a larger file would evict its own start
  // before the scan reached it); otherwise does nothing.
  explicit FilePrefetcher(const std::string& path);
  // Stops reading (if still at it) and joins the thread.
  ~FilePrefetcher();
  FilePrefetcher(const FilePrefetcher&) = delete;
  FilePrefetcher& operator=(const FilePrefetcher&) = delete;

  // Whether the file is being (or was) read ahead.
  bool started() const { return thread_.joinable(); }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_FILE_PREFETCHER_H_
