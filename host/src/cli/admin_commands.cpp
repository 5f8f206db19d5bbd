// `streamhost status`, `pause` and `resume`: the management API of a running host, from a shell.
#include <rapidjson/document.h>

#include <ostream>
#include <streamhost/json/bounded_parse.hpp>
#include <streamhost/redact/redact.hpp>

#include "cli/admin_client.hpp"
#include "cli/cli.hpp"
#include "cli/status_format.hpp"
#include "manifest/manifest_loader.hpp"

namespace streamhost::host {
namespace {

constexpr const char* kTargetHelp = R"(
  --admin URL          the host's admin endpoint (default: from -f, else http://127.0.0.1:18080)
  -f, --file MANIFEST  take the admin address (and token file or variable) from the manifest
  --token-file FILE    the admin token, for a host started with admin.token_file/token_env;
                       STREAMHOST_ADMIN_TOKEN in the environment works too; it is sent with
                       pause and resume only, and over plain http only to a loopback address
  --allow-insecure-token  send it over plain http to another host (a trusted network)
Exit codes: 0 success, 1 the host is unreachable or refused, 2 usage error.
)";

// The "reason" of an error answer, else its body.
std::string reason_of(const AdminReply& reply) {
  rapidjson::Document doc;
  if (!json::parse_bounded(doc, reply.body) && doc.IsObject() && doc.HasMember("reason") &&
      doc["reason"].IsString()) {
    return doc["reason"].GetString();
  }
  return reply.body;
}

// Prints why a reply is not a success; returns the exit code.
int refused(const AdminTarget& target, const AdminReply& reply, std::ostream& err) {
  if (reply.status == 401) {
    err << "streamhost: " << redact::redact_url(target.url)
        << " refused the request: it needs the admin token"
        << (target.token ? " and the one given is not it" : "")
        << " (--token-file FILE or STREAMHOST_ADMIN_TOKEN)\n";
  } else {
    err << "streamhost: " << redact::redact_url(target.url) << " answered HTTP " << reply.status
        << ": " << reason_of(reply) << "\n";
  }
  return kExitRuntimeFailure;
}

// Parses the target; prints a usage or setup error and returns false on failure.
bool target_from(const std::vector<std::string>& args, const std::vector<std::string>& extra,
                 std::vector<std::pair<std::string, std::string>>& values, AdminTarget& target,
                 std::ostream& err, const std::string& help, int& code) {
  try {
    target = parse_admin_target(args, extra, values);
    return true;
  } catch (const std::invalid_argument& e) {
    err << "streamhost: " << e.what() << "\n\n" << help;
    code = kExitUsage;
  } catch (const ManifestError& e) {
    err << e.what() << "\n";
    code = kExitUsage;
  } catch (const std::exception& e) {
    err << "streamhost: " << redact::redact_text(e.what()) << "\n";
    code = kExitUsage;
  }
  return false;
}

}  // namespace

std::string status_help() {
  return std::string(
             "Usage: streamhost status [--admin URL | -f MANIFEST] [--token-file FILE]\n\n"
             "Shows a running host's pipeline: state, routes, plugins, and per partition\n"
             "the committed offset, the last offset handed to a handler, the log end, the\n"
             "lag, the records in flight and whether (and why) it is paused.\n") +
         kTargetHelp;
}

std::string pause_help(bool pause) {
  const std::string verb = pause ? "pause" : "resume";
  return "Usage: streamhost " + verb +
         " [--route ROUTE] [--admin URL | -f MANIFEST] [--token-file FILE]\n\n" +
         (pause ? "Pauses a running host's pipeline (or one route): it stops handing records to\n"
                  "handlers but stays in its consumer group with its partitions, and resumes\n"
                  "later from exactly where it stopped.\n"
                : "Resumes a paused pipeline (or one route) from the first record it did not\n"
                  "hand to a handler.\n") +
         "  --route ROUTE        only this route (a route paused on its own stays paused when\n"
         "                       the whole pipeline is resumed)" +
         kTargetHelp;
}

int status_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  AdminTarget target;
  std::vector<std::pair<std::string, std::string>> values;
  int code = kExitOk;
  if (!target_from(args, {}, values, target, err, status_help(), code)) return code;
  try {
    const AdminReply pipeline = admin_request(target, "GET", "/pipeline");
    if (pipeline.status != 200) return refused(target, pipeline, err);
    const AdminReply partitions = admin_request(target, "GET", "/pipeline/partitions");
    if (partitions.status != 200) return refused(target, partitions, err);
    out << format_status(pipeline.body, partitions.body);
    return kExitOk;
  } catch (const std::exception& e) {
    err << "streamhost: " << redact::redact_text(e.what()) << "\n";
    return kExitRuntimeFailure;
  }
}

int pause_command(bool pause, const std::vector<std::string>& args, std::ostream& out,
                  std::ostream& err) {
  AdminTarget target;
  std::vector<std::pair<std::string, std::string>> values;
  int code = kExitOk;
  if (!target_from(args, {"--route"}, values, target, err, pause_help(pause), code)) return code;
  const std::string verb = pause ? "pause" : "resume";
  std::string path = "/pipeline/" + verb;
  std::string what = "pipeline";
  if (!values.empty()) {
    path = "/pipeline/routes/" + values.back().second + "/" + verb;
    what = "route " + values.back().second;
  }
  try {
    AdminReply reply;
    try {
      reply = admin_request(target, "POST", path);
    } catch (const std::invalid_argument& e) {  // the token would go over plain http
      err << "streamhost: " << redact::redact_text(e.what()) << "\n";
      return kExitUsage;
    }
    if (reply.status != 200) return refused(target, reply, err);
    rapidjson::Document doc;
    const std::string state = !json::parse_bounded(doc, reply.body) && doc.IsObject() &&
                                      doc.HasMember("state") && doc["state"].IsString()
                                  ? doc["state"].GetString()
                                  : "unknown";
    out << (pause ? "paused " : "resumed ") << what << "; pipeline state: " << state << "\n";
    return kExitOk;
  } catch (const std::exception& e) {
    err << "streamhost: " << redact::redact_text(e.what()) << "\n";
    return kExitRuntimeFailure;
  }
}

}  // namespace streamhost::host
