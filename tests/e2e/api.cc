#include "api.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

namespace rogatory::e2e {

std::string Answer::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string Answer::ErrorCode() const {
  if (!json.is_object() || !json.contains("error")) return "";
  return json["error"].value("code", "");
}

Api::Api(int port) : client_("127.0.0.1", port) {
  client_.set_keep_alive(true);
  client_.set_read_timeout(30, 0);
  client_.set_write_timeout(30, 0);
}

httplib::Headers Api::Headers(const std::string& token, const ExtraHeaders& extra) const {
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  for (const auto& [k, v] : extra) h.emplace(k, v);
  return h;
}

Answer Api::From(const httplib::Result& r) {
  Answer a;
  if (!r) return a;
  a.status = r->status;
  a.text = r->body;
  a.headers = r->headers;
  a.json = nlohmann::json::parse(r->body, nullptr, false);
  if (a.json.is_discarded()) a.json = nullptr;
  return a;
}

Answer Api::Get(const std::string& path, const std::string& token, const ExtraHeaders& extra) {
  return From(client_.Get(path.c_str(), Headers(token, extra)));
}

Answer Api::Post(const std::string& path, const std::string& token, const std::string& body,
                 const ExtraHeaders& extra) {
  return From(client_.Post(path.c_str(), Headers(token, extra), body, "application/json"));
}

Answer Api::Delete(const std::string& path, const std::string& token) {
  return From(client_.Delete(path.c_str(), Headers(token, {})));
}

Answer Api::Put(const std::string& path, const std::string& token, const std::string& body) {
  return From(client_.Put(path.c_str(), Headers(token, {}), body, "application/json"));
}

Answer Api::Patch(const std::string& path, const std::string& token, const std::string& body) {
  return From(client_.Patch(path.c_str(), Headers(token, {}), body, "application/json"));
}

std::string Api::CreateCase(const nlohmann::json& data) {
  Answer a =
      Post("/v1/requests", kClerkToken, nlohmann::json{{"workflow", "case"}, {"data", data}});
  EXPECT_EQ(a.status, 201) << a.text;
  return a.json.is_object() ? a.json.value("id", "") : "";
}

Answer Api::Fire(const std::string& id, const std::string& event, const std::string& token,
                 const nlohmann::json& extra, const ExtraHeaders& headers) {
  nlohmann::json body = extra;
  body["event"] = event;
  return Post("/v1/requests/" + id + "/events", token, body, headers);
}

std::string RawExchange(int port, const std::string& bytes, int timeout_ms) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
    const size_t head_end = got.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const size_t cl = got.find("Content-Length: ");
      if (cl != std::string::npos && cl < head_end) {
        const size_t length = std::stoul(got.substr(cl + 16));
        if (got.size() >= head_end + 4 + length) break;
      }
    }
  }
  close(fd);
  return got;
}

}  // namespace rogatory::e2e
