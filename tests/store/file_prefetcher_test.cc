// FilePrefetcher (adapters/store/src/file_prefetcher.h): reads a file that fits in memory ahead
// of the audit's scan, and never starts on a file it cannot open.
#include "file_prefetcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace rogatory::store_internal {
namespace {

TEST(FilePrefetcherTest, ReadsASmallFileAheadAndStopsWhenDestroyed) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("rogatory-prefetch-" + std::to_string(::getpid()));
  std::ofstream(file) << std::string(1 << 20, 'x');
  {
    FilePrefetcher prefetcher(file.string());
    EXPECT_TRUE(prefetcher.started());
  }
  std::filesystem::remove(file);
}

TEST(FilePrefetcherTest, AMissingFileIsNotRead) {
  FilePrefetcher prefetcher("/nonexistent/rogatory.db");
  EXPECT_FALSE(prefetcher.started());
}

}  // namespace
}  // namespace rogatory::store_internal
