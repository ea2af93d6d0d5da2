// Embeds the installed engine: a workflow from YAML text, an SQLite store, create, fire,
// history, and a webhook signature. Exits non-zero on any surprise.
#include <rogatory/definition_loader.h>
#include <rogatory/engine.h>
#include <rogatory/history.h>
#include <rogatory/sql_store.h>
#include <rogatory/webhook_signature.h>

#include <cstdio>

namespace {

constexpr char kWorkflow[] = R"(workflow: note
version: 1
title: A note that is drafted and sent
fields:
  author: {type: string, required: true}
states:
  draft: {phase: drafting, initial: true}
  sent:  {phase: closure, terminal: true}
transitions:
  - {event: send, from: draft, to: sent, roles: [clerk]}
)";

int Fail(const char* what, const rogatory::Status& s) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rogatory;
  if (argc != 2) return 2;
  auto store = OpenStore(std::string("sqlite://") + argv[1]);
  if (!store.ok()) return Fail("open", store.status());
  Engine engine(EngineOptions{std::shared_ptr<Store>(std::move(*store)), nullptr});
  LoadReport report = ParseDefinition(kWorkflow, "note.yaml");
  if (!report.ok()) return Fail("parse", InvalidArgumentError(report.ErrorText()));
  if (Status s = engine.LoadDefinition(report.definitions[0]); !s.ok()) return Fail("load", s);
  const Actor clerk{"clerk", {"clerk"}};
  CreateCall create;
  create.workflow = "note";
  create.data = {{"author", "ana"}};
  auto r = engine.Create(create, clerk);
  if (!r.ok()) return Fail("create", r.status());
  EventCall send;
  send.event = "send";
  r = engine.Fire(r->id, send, clerk);
  if (!r.ok()) return Fail("fire", r.status());
  if (r->state != "sent" || r->revision != 2) return Fail("state", InternalError(r->state));
  if (Status s = engine.VerifyHistory(r->id); !s.ok()) return Fail("verify", s);
  // Issue 10: docs/webhooks.md tells embedders to sign with SignWebhook; it must be installed.
  // The Standard Webhooks test vector.
  auto signed_headers =
      SignWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                  1614265330, R"({"test": 2432232314})");
  if (!signed_headers.ok()) return Fail("sign", signed_headers.status());
  if (signed_headers->signature != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") {
    return Fail("signature", InternalError(signed_headers->signature));
  }
  std::printf("ok %s\n", r->id.c_str());
  return 0;
}
