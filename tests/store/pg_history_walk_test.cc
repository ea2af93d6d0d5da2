// SqlStoreOptions::pg_history_walk: the settings `rogatory audit verify` plans its PostgreSQL reads
// with, on every connection it opens; and none of them on a store opened without it.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <memory>
#include <string>

#include "connection.h"
#include "rogatory/sql_store.h"
#include "store_test_util.h"
#include "store_url.h"

namespace rogatory::testing {
namespace {

std::string Show(store_internal::Connection& conn, const std::string& setting) {
  std::string value;
  conn.sql() << "SHOW " + setting, soci::into(value);
  return value;
}

TEST(PgHistoryWalkTest, TheAuditsConnectionsReadAlongTheKey) {
  std::string why;
  const std::string conninfo = PgClusterUrl(&why);
  ASSERT_FALSE(conninfo.empty()) << why;
  Result<store_internal::StoreUrl> url = store_internal::ParseStoreUrl("postgresql://" + conninfo);
  ASSERT_TRUE(url.ok()) << url.status().ToString();

  SqlStoreOptions walk;
  walk.pg_history_walk = true;
  std::unique_ptr<store_internal::Connection> audit = store_internal::OpenConnection(*url, walk);
  EXPECT_EQ(Show(*audit, "max_parallel_workers_per_gather"), "0");
  EXPECT_EQ(Show(*audit, "random_page_cost"), "1.1");

  std::unique_ptr<store_internal::Connection> plain =
      store_internal::OpenConnection(*url, SqlStoreOptions{});
  EXPECT_NE(Show(*plain, "max_parallel_workers_per_gather"), "0");
  EXPECT_NE(Show(*plain, "random_page_cost"), "1.1");
}

}  // namespace
}  // namespace rogatory::testing
