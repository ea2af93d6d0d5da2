// Status and Result<T>: how every Rogatory call reports success or a specific error.
// Modelled on absl::Status / absl::StatusOr; no exceptions cross the engine API.
#ifndef ROGATORY_STATUS_H_
#define ROGATORY_STATUS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace rogatory {

// Few codes, each mapped once to an HTTP status by the REST adapter.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // 422 (400 for a body that is not JSON): bad field value, missing field.
  kUnauthenticated,     // 401: no or bad credentials.
  kPermissionDenied,    // 403: no role of the actor may do this.
  kNotFound,            // 404: unknown request, workflow, subscription, delivery.
  kAlreadyExists,       // 409: an id or (workflow, version) that is taken.
  kFailedPrecondition,  // 409: the event is not allowed in the request's current state.
  kAborted,             // 409: expected_revision is stale (optimistic concurrency).
  kResourceExhausted,   // 413 / 429: a limit was exceeded.
  kUnavailable,         // 503: the store or a peer cannot be reached now; retry later.
  kInternal,            // 500: a bug or a broken invariant.
};

// The snake_case name of `code` ("failed_precondition"), used in JSON error bodies.
const char* StatusCodeName(StatusCode code);

// A success, or an error code with a message. Messages name ids, never personal data.
class [[nodiscard]] Status {
 public:
  // A success.
  Status() = default;
  // An error (or a success if `code` is kOk, in which case `message` is dropped).
  Status(StatusCode code, std::string message)
      : code_(code), message_(code == StatusCode::kOk ? std::string() : std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "failed_precondition: event 'x' is not allowed in state 'y'", or "ok".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Factories, one per code, as in absl.
inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status UnauthenticatedError(std::string m) {
  return Status(StatusCode::kUnauthenticated, std::move(m));
}
inline Status PermissionDeniedError(std::string m) {
  return Status(StatusCode::kPermissionDenied, std::move(m));
}
inline Status NotFoundError(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status AlreadyExistsError(std::string m) {
  return Status(StatusCode::kAlreadyExists, std::move(m));
}
inline Status FailedPreconditionError(std::string m) {
  return Status(StatusCode::kFailedPrecondition, std::move(m));
}
inline Status AbortedError(std::string m) { return Status(StatusCode::kAborted, std::move(m)); }
inline Status ResourceExhaustedError(std::string m) {
  return Status(StatusCode::kResourceExhausted, std::move(m));
}
inline Status UnavailableError(std::string m) {
  return Status(StatusCode::kUnavailable, std::move(m));
}
inline Status InternalError(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

// A value of type T, or the error that prevented producing one.
//
// Example:
//   Result<Request> r = engine.Fire(id, call, actor);
//   if (!r.ok()) return r.status();
//   Use(*r);
template <typename T>
class [[nodiscard]] Result {
 public:
  // REQUIRES: !status.ok() (a Result made from an OK status holds an Internal error).
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = InternalError("Result constructed from OK status without value");
  }
  // A copy or a move of `value`, made once (a request moved through a Fire is moved into each
  // Result it travels in, and each move of one costs a dozen strings').
  Result(const T& value) : value_(value) {}        // NOLINT: implicit by design
  Result(T&& value) : value_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok(). On a temporary Result these return the value itself (moved out), not a
  // reference into the dying Result, so `for (auto& e : *engine.History(id))` is safe.
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace rogatory

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define ROGATORY_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::rogatory::Status rogatory_status_ = (expr);        \
    if (!rogatory_status_.ok()) return rogatory_status_; \
  } while (0)

#define ROGATORY_CONCAT_INNER_(a, b) a##b
#define ROGATORY_CONCAT_(a, b) ROGATORY_CONCAT_INNER_(a, b)
// Declares `lhs` from a Result's value, or returns its error from the enclosing function.
#define ROGATORY_ASSIGN_OR_RETURN(lhs, expr) \
  ROGATORY_ASSIGN_OR_RETURN_IMPL_(ROGATORY_CONCAT_(rogatory_result_, __LINE__), lhs, expr)
#define ROGATORY_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                    \
  if (!result.ok()) return result.status();                \
  lhs = std::move(result).value()

#endif  // ROGATORY_STATUS_H_
