// The baseline of the HTTP benchmark (http_bench.sh): a bare cpp-httplib server answering
// POST /v1/requests/{id}/events with a fixed request-sized JSON body, configured like
// `rogatory serve` (TCP_NODELAY, long keep-alive, same thread count), with no auth, engine or
// store. Usage: bare_http_server PORT [THREADS]
#include <httplib.h>

#include <csignal>
#include <cstdlib>
#include <string>

namespace {

httplib::Server* g_server = nullptr;

void OnSignal(int) {
  if (g_server != nullptr) g_server->stop();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const int port = std::atoi(argv[1]);
  const size_t threads = argc > 2 ? static_cast<size_t>(std::atoi(argv[2])) : 16;
  // About the size of a `case` request as the API returns it.
  const std::string body =
      R"({"created_at":"2026-11-23T12:06:15.658087Z","data":{"remark":"bench","title":"bench",)"
      R"("urgent":false},"deadlines":[],"head_hash":"b8ece39cd6f9679180296ea74221ae30a84f59ca9d65)"
      R"(2c5a26c666ebd823d5d9","id":"01M844SEBAV97HECX6M1EJ4G2C","phase":"drafting","references")"
      R"(:{},"revision":2,"state":"draft","updated_at":"2026-11-23T12:06:15.658087Z","version":1,)"
      R"("workflow":"case"})";
  httplib::Server server;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(10000);
  server.Post(R"(/v1/requests/([^/]+)/events)",
              [&body](const httplib::Request&, httplib::Response& res) {
                res.set_content(body, "application/json");
              });
  g_server = &server;
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  return server.listen("127.0.0.1", port) ? 0 : 1;
}
