// Mirrors a connector's ConnectorStats into the registry at every scrape, labelled
// connector="source" or "sink". The connector keeps its own totals; the registry only copies them.
#pragma once

#include <functional>
#include <streamhost/connector/health.hpp>
#include <string>

#include "metrics/registry.hpp"

namespace streamhost::host::metrics {

// `stats` is called on the scraping thread (Source/Sink::stats() are safe to call from there).
void mirror_connector_stats(Registry& registry, const std::string& role,
                            std::function<connector::ConnectorStats()> stats);

}  // namespace streamhost::host::metrics
