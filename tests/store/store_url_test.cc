// The `store:` URL forms docs/operations.md documents: parsed into what libpq is given, and each
// one opened on the test run's real PostgreSQL cluster.
#include "store_url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <unistd.h>

#include "pg_conninfo.h"
#include "rogatory/sql_store.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

using store_internal::Backend;
using store_internal::ParseStoreUrl;
using ::testing::HasSubstr;

// The parameters a URL yields, as "key=value|key=value".
std::string Params(const std::string& url) {
  Result<store_internal::StoreUrl> parsed = ParseStoreUrl(url);
  EXPECT_TRUE(parsed.ok()) << url << ": " << parsed.status().ToString();
  if (!parsed.ok()) return "";
  EXPECT_EQ(parsed->backend, Backend::kPostgres);
  const bool keywords = url.find('=') != std::string::npos && url.find('?') == std::string::npos;
  Result<store_internal::PgParams> params =
      keywords ? store_internal::ParsePgKeywords(url.substr(url.find("://") + 3))
               : store_internal::ParsePgUri(url);
  EXPECT_TRUE(params.ok()) << params.status().ToString();
  if (!params.ok()) return "";
  EXPECT_EQ(parsed->target, store_internal::PgConnectString(*params));
  std::string out;
  for (const auto& [k, v] : *params) out += (out.empty() ? "" : "|") + k + "=" + v;
  return out;
}

TEST(StoreUrlTest, UriWithoutQueryStringNamesTheDatabaseAlone) {
  // The documented form: SOCI used to turn it into dbname "rogatory=".
  EXPECT_EQ(Params("postgresql://user@127.0.0.1:5432/rogatory"),
            "user=user|host=127.0.0.1|port=5432|dbname=rogatory");
  EXPECT_EQ(Params("postgresql://rogatory@db/rogatory"), "user=rogatory|host=db|dbname=rogatory");
  EXPECT_EQ(Params("postgres://db/rogatory"), "host=db|dbname=rogatory");
  EXPECT_EQ(ParseStoreUrl("postgresql://user@127.0.0.1:5432/rogatory")->target,
            "postgresql://?user=user&host=127.0.0.1&port=5432&dbname=rogatory");
}

TEST(StoreUrlTest, UriPartsAreOptionalAndDecoded) {
  EXPECT_EQ(Params("postgresql://ana:s3cret@db.example:6432/rogatory"),
            "user=ana|password=s3cret|host=db.example|port=6432|dbname=rogatory");
  EXPECT_EQ(Params("postgresql://db.example/rogatory?connect_timeout=5&sslmode=require"),
            "host=db.example|dbname=rogatory|connect_timeout=5|sslmode=require");
  EXPECT_EQ(Params("postgresql://ana@db:5432/rogatory?connect_timeout=5"),
            "user=ana|host=db|port=5432|dbname=rogatory|connect_timeout=5");
  EXPECT_EQ(Params("postgresql://a%40b:p%20w'd%3D@db/my%20db"),
            "user=a@b|password=p w'd=|host=db|dbname=my db");
  EXPECT_EQ(Params("postgresql://[::1]:5433/r"), "host=::1|port=5433|dbname=r");
  EXPECT_EQ(Params("postgresql://h1:5432,h2/r"), "host=h1,h2|port=5432,|dbname=r");
  EXPECT_EQ(Params("postgresql:///rogatory?host=/var/run/postgresql"),
            "dbname=rogatory|host=/var/run/postgresql");
  EXPECT_EQ(Params("postgresql://db"), "host=db");
  EXPECT_EQ(Params("postgresql://ana:@db/r"), "user=ana|password=|host=db|dbname=r");
  EXPECT_EQ(Params("postgresql://"), "");
  EXPECT_EQ(ParseStoreUrl("postgresql://")->target, "");  // libpq's defaults
}

TEST(StoreUrlTest, KeywordFormIsReadWithQuotesAndEscapes) {
  EXPECT_EQ(Params("postgresql://host=db port=5432 dbname=rogatory user=ana"),
            "host=db|port=5432|dbname=rogatory|user=ana");
  EXPECT_EQ(Params("postgresql://  host = db password='a b\\'c' options=-csearch_path=x"),
            "host=db|password=a b'c|options=-csearch_path=x");
  // Spaces, quotes and '=' travel %-escaped: SOCI splits the connect string at spaces.
  EXPECT_EQ(ParseStoreUrl("postgresql://host=db password='a b=c'")->target,
            "postgresql://?host=db&password=a%20b%3Dc");
}

TEST(StoreUrlTest, MalformedUrlsAreInvalidArgumentWithoutThePassword) {
  for (const char* bad : {"postgresql://ana:s3cret@db/r%zz", "postgresql://ana:s3cret@db/r%0",
                          "postgresql://db/r?novalue", "postgresql://db/r?bad key=1",
                          "postgresql://[::1/r", "postgresql://db/r%00x",
                          "postgresql://host=db password='s3cret", "postgresql://host=db s3cret"}) {
    Result<store_internal::StoreUrl> parsed = ParseStoreUrl(bad);
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(parsed.status().message(), ::testing::Not(HasSubstr("s3cret"))) << bad;
  }
}

// The cluster's port, from its keyword form "host=127.0.0.1 port=N user=postgres ...".
std::string ClusterPort(const std::string& keywords) {
  const size_t at = keywords.find("port=") + 5;
  return keywords.substr(at, keywords.find(' ', at) - at);
}

// Runs one statement as the cluster's superuser; "" or the error.
std::string Exec(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* res = PQexec(conn, sql.c_str());
    if (PQresultStatus(res) != PGRES_COMMAND_OK) error = PQresultErrorMessage(res);
    PQclear(res);
  }
  PQfinish(conn);
  return error;
}

// A database of its own (so a URL that names the wrong one cannot connect), and the cluster.
class PgUrlFormsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    admin_ = PgClusterUrl(&why);
    ASSERT_FALSE(admin_.empty()) << why;
    port_ = ClusterPort(admin_);
    db_ = "rogatory_url_" + std::to_string(getpid());
    Exec(admin_, "DROP DATABASE IF EXISTS " + db_);
    ASSERT_EQ(Exec(admin_, "CREATE DATABASE " + db_), "");
  }
  void TearDown() override {
    if (!db_.empty()) Exec(admin_, "DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
    unsetenv("PGPORT");
    unsetenv("PGUSER");
  }
  // Opens `url`, writes a request and reads it back.
  void ExpectWorks(const std::string& url) {
    SCOPED_TRACE(url);
    Result<std::unique_ptr<Store>> s = OpenStore(url);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    RequestBuilder b("r-url-" + std::to_string(++n_));
    ASSERT_TRUE((*s)->Apply(b.Create()).ok());
    EXPECT_TRUE((*s)->GetRequest(b.request().id).ok());
  }
  std::string admin_, port_, db_;
  int n_ = 0;
};

TEST_F(PgUrlFormsTest, DocumentedUriWithUserHostPortAndDatabase) {
  ExpectWorks("postgresql://postgres@127.0.0.1:" + port_ + "/" + db_);
  ExpectWorks("postgres://postgres@127.0.0.1:" + port_ + "/" + db_);
}

TEST_F(PgUrlFormsTest, UriWithQueryString) {
  ExpectWorks("postgresql://postgres@127.0.0.1:" + port_ + "/" + db_ + "?connect_timeout=5");
  ExpectWorks("postgresql://127.0.0.1:" + port_ + "/" + db_ +
              "?user=postgres&connect_timeout=5&application_name=rogatory%20test");
}

TEST_F(PgUrlFormsTest, UriWithPassword) {
  // The cluster trusts local connections, so any password is accepted: this checks that the
  // user, the password (with characters that need quoting) and the database are all parsed.
  ExpectWorks("postgresql://postgres:s3cret@127.0.0.1:" + port_ + "/" + db_);
  ExpectWorks("postgresql://postgres:a%20b'c@127.0.0.1:" + port_ + "/" + db_);
}

TEST_F(PgUrlFormsTest, UriWithoutPortOrUserTakesLibpqDefaults) {
  setenv("PGPORT", port_.c_str(), 1);
  ExpectWorks("postgresql://postgres@127.0.0.1/" + db_);
  setenv("PGUSER", "postgres", 1);
  ExpectWorks("postgresql://127.0.0.1/" + db_);
}

TEST_F(PgUrlFormsTest, KeywordForm) {
  ExpectWorks("postgresql://host=127.0.0.1 port=" + port_ + " dbname=" + db_ + " user=postgres");
  ExpectWorks("postgresql://host=127.0.0.1 port=" + port_ + " dbname=" + db_ +
              " user=postgres password='a b\\'c' connect_timeout=5 application_name='x y'");
}

TEST_F(PgUrlFormsTest, WrongDatabaseIsUnavailable) {
  Result<std::unique_ptr<Store>> s =
      OpenStore("postgresql://postgres@127.0.0.1:" + port_ + "/" + db_ + "_missing");
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace rogatory::testing
