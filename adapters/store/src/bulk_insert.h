// Rows of one table that a group-commit batch inserts together: one multi-row INSERT per chunk
// of up to kBulkRows rows instead of one statement per row. SQLite then opens the table's and
// its indexes' cursors once per chunk, and SOCI binds once per chunk.
#ifndef ROGATORY_ADAPTERS_STORE_BULK_INSERT_H_
#define ROGATORY_ADAPTERS_STORE_BULK_INSERT_H_

#include <soci/soci.h>

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "connection.h"

namespace rogatory::store_internal {

inline constexpr size_t kBulkRows = 16;

template <typename Row>
class BulkInsert {
 public:
  // Exchanges `row`'s columns, in the order of the `?` marks of the row template, on `st`.
  using Bind = void (*)(soci::statement& st, Row& row);

  // `head`: "INSERT INTO t (a, b, c) VALUES "; `values`: one row's tuple with a `?` per bound
  // column (constants allowed), e.g. "(?, ?, 'pending')".
  BulkInsert(soci::session& sql, std::string head, std::string values, Bind bind)
      : sql_(sql), head_(std::move(head)), values_(std::move(values)), bind_(bind) {}
  BulkInsert(const BulkInsert&) = delete;
  BulkInsert& operator=(const BulkInsert&) = delete;

  // A row to fill, queued for the next Flush. Its storage (and its strings' buffers) is reused
  // from earlier batches.
  Row& Add() {
    if (queued_ == rows_.size()) rows_.emplace_back();
    return rows_[queued_++];
  }
  size_t size() const { return queued_; }
  // Forgets the rows queued after the first `n` (a mutation rolled back to its savepoint).
  void Truncate(size_t n) {
    if (n < queued_) queued_ = n;
  }
  // Inserts the queued rows, in order, and empties the queue. Throws on a database error (the
  // queue is emptied all the same: the caller rolls the transaction back).
  void Flush() {
    const size_t total = queued_;
    queued_ = 0;
    for (size_t done = 0; done < total;) {
      const size_t n = std::min(kBulkRows, total - done);
      for (size_t i = 0; i < n; ++i) std::swap(bound_[i], rows_[done + i]);
      Statement(n).execute(true);
      for (size_t i = 0; i < n; ++i) std::swap(bound_[i], rows_[done + i]);
      done += n;
    }
  }

 private:
  // The statement inserting `n` rows (bound to bound_[0..n)), prepared on first use.
  // A statement whose preparation failed (e.g. the table is missing) is not kept: the next call
  // prepares afresh instead of executing a half-prepared statement.
  soci::statement& Statement(size_t n) {
    std::unique_ptr<soci::statement>& kept = statements_[n - 1];
    if (kept == nullptr) {
      auto st = std::make_unique<soci::statement>(sql_);
      std::string query = head_;
      int mark = 0;
      for (size_t i = 0; i < n; ++i) {
        if (i > 0) query += ", ";
        for (char c : values_) {
          if (c == '?') {
            query += ":b" + std::to_string(++mark);
          } else {
            query += c;
          }
        }
        bind_(*st, bound_[i]);
      }
      st->alloc();
      st->prepare(query);
      st->define_and_bind();
      kept = std::move(st);
    }
    return *kept;
  }

  soci::session& sql_;
  const std::string head_, values_;
  const Bind bind_;
  std::vector<Row> rows_;  // rows_[0..queued_) wait for Flush
  size_t queued_ = 0;
  std::array<Row, kBulkRows> bound_;  // what the prepared statements read
  std::array<std::unique_ptr<soci::statement>, kBulkRows> statements_;
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_BULK_INSERT_H_
