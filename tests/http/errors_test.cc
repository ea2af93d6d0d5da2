#include "errors.h"

#include <gtest/gtest.h>

namespace rogatory::http {
namespace {

TEST(ApiErrorFromStatusTest, MapsEachCodeOnce) {
  struct Case {
    Status status;
    int http;
  };
  for (const Case& c : std::vector<Case>{{InvalidArgumentError("x"), 422},
                                         {UnauthenticatedError("x"), 401},
                                         {PermissionDeniedError("x"), 403},
                                         {NotFoundError("x"), 404},
                                         {AlreadyExistsError("x"), 409},
                                         {FailedPreconditionError("x"), 409},
                                         {AbortedError("x"), 409},
                                         {ResourceExhaustedError("x"), 429},
                                         {UnavailableError("x"), 503},
                                         {InternalError("x"), 500}}) {
    ApiError e = ApiErrorFromStatus(c.status);
    EXPECT_EQ(e.http_status, c.http) << c.status.ToString();
    EXPECT_EQ(e.code, StatusCodeName(c.status.code()));
  }
}

TEST(ApiErrorFromStatusTest, HidesInternalDetails) {
  ApiError e = ApiErrorFromStatus(InternalError("SELECT * FROM requests failed: disk I/O"));
  EXPECT_EQ(e.message.find("SELECT"), std::string::npos);
  e = ApiErrorFromStatus(UnavailableError("could not connect to host=db password=x"));
  EXPECT_EQ(e.message.find("password"), std::string::npos);
}

TEST(ErrorBodyTest, HasTheContractShape) {
  EXPECT_EQ(ErrorBody({404, "not_found", "no such route"}),
            R"({"error":{"code":"not_found","message":"no such route"}})");
}

}  // namespace
}  // namespace rogatory::http
