// Process-wide logging for `rogatory serve`: spdlog to stderr, as text or as one JSON object per
// line, at the configured level. Log lines name ids, never request field values.
#ifndef ROGATORY_ADAPTERS_CLI_LOGGING_H_
#define ROGATORY_ADAPTERS_CLI_LOGGING_H_

#include <string>

namespace rogatory::cli {

// Replaces spdlog's default logger with a stderr logger. `format` "json": each line is
// {"ts": RFC 3339 UTC, "level": ..., "msg": ...}; a message that is itself a JSON object (as the
// HTTP access log writes) has ts and level merged into it. "text": "TS LEVEL message".
// `level` is a spdlog level name (trace ... off). Lines collect in stderr's buffer and a
// background thread writes them out every second (warnings and errors at once; every line at
// once when stderr is a terminal); call ShutdownLogging() before exiting so that every line is
// out. Call before starting any thread that logs.
void SetupLogging(const std::string& format, const std::string& level);

// Writes out every queued line and stops the background thread.
void ShutdownLogging();

// For every command but `serve` (which calls SetupLogging): spdlog's default logger writes to
// stdout, where a command's own output goes (`stats --format json`), so this replaces it with an
// unbuffered stderr logger in the text format at level info: the store's warnings and its
// schema upgrade's progress lines go to stderr.
void SetupCommandLogging();

}  // namespace rogatory::cli

#endif  // ROGATORY_ADAPTERS_CLI_LOGGING_H_
