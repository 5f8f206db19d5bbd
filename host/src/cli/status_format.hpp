// `streamhost status`'s tables, built from the management API's JSON (GET /pipeline and
// GET /pipeline/partitions), kept apart from the HTTP call so they are tested on their own.
#pragma once

#include <string>

namespace streamhost::host {

// Throws std::invalid_argument when either body is not the API's JSON.
std::string format_status(const std::string& pipeline_json, const std::string& partitions_json);

// "2h 05m 09s", "3m 04s", "12s".
std::string format_duration(double seconds);

}  // namespace streamhost::host
