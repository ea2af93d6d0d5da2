// ISO 8601 durations and RFC 3339 times (rogatory/time.h). Whatever the text: a value or
// InvalidArgument, never a crash or undefined behaviour (overflow included). Values round-trip:
// a duration's canonical text parses to the same duration, a time formats to text that parses
// to the same instant, and adding a duration to a time never overflows silently.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "rogatory/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto duration = rogatory::ParseIsoDuration(text);
  if (duration.ok()) {
    FUZZ_CHECK(!duration->IsZero());
    const std::string canonical = duration->ToString();
    auto again = rogatory::ParseIsoDuration(canonical);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(*again == *duration);
    // From the dates deadlines really start at: now-ish, a month's last day, a leap day.
    for (const char* start : {"2026-01-31T00:00:00Z", "2024-02-29T23:59:59.999999Z"}) {
      auto t = rogatory::ParseRfc3339(start);
      FUZZ_CHECK(t.ok());
      (void)duration->AddTo(*t);
    }
  }

  auto time = rogatory::ParseRfc3339(text);
  if (time.ok()) {
    const std::string formatted = rogatory::FormatRfc3339(*time);
    auto again = rogatory::ParseRfc3339(formatted);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(*again == *time);
  }

  if (rogatory::IsValidDate(text)) FUZZ_CHECK(text.size() == 10);
  return 0;
}
