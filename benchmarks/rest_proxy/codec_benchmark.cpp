// The REST proxy connectors' JSON codecs in the binary embedded format (what the host uses), swept
// over 1, 100 and 1,000 records per batch. Values are ~200-byte focus events keyed by customer id,
// like the coupon pipeline's traffic. No HTTP: only the per-batch CPU work on either side of it.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "base64.hpp"
#include "record_codec.hpp"

namespace {

using namespace streamhost::connector;
using namespace streamhost::connector::detail;

void sweep_records(benchmark::internal::Benchmark* b) {
  b->Arg(1)->Arg(100)->Arg(1000)->ArgName("records");
}

std::string event_value(int i) {
  return R"({"event_type":"customer focus","event_timestamp":"2026-11-28T23:41:10.123Z",)"
         R"("payload":{"customer_id":)" +
         std::to_string(i + 1) + R"(,"category":"Women","trace":"0123456789abcdef0123456789"}})";
}

std::vector<OutgoingRecord> outgoing(int n) {
  std::vector<OutgoingRecord> records;
  for (int i = 0; i < n; ++i) records.push_back({std::to_string(i + 1), event_value(i), {}});
  return records;
}

// A GET .../records reply of n records as the Strimzi bridge sends it in the binary format.
std::string records_reply(int n) {
  std::string body = "[";
  for (int i = 0; i < n; ++i) {
    if (i > 0) body += ',';
    body += R"({"topic":"customer-focus","key":")" + base64_encode(std::to_string(i + 1)) +
            R"(","value":")" + base64_encode(event_value(i)) + R"(","partition":0,"offset":)" +
            std::to_string(1000 + i) + R"(,"timestamp":1764373270123,"headers":[]})";
  }
  return body + "]";
}

std::string produce_reply(int n) {
  std::string body = R"({"offsets":[)";
  for (int i = 0; i < n; ++i) {
    if (i > 0) body += ',';
    body += R"({"partition":0,"offset":)" + std::to_string(1000 + i) + "}";
  }
  return body + "]}";
}

// Encoding a produce request body (base64 of key and value per record, RapidJSON writer).
void BM_EncodeProduceBody(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const auto records = outgoing(n);
  std::vector<size_t> indices(records.size());
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = i;
  std::vector<std::pair<size_t, std::string>> invalid;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        encode_produce_body(records, indices, EmbeddedFormat::kBinary, invalid));
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_EncodeProduceBody)->Apply(sweep_records);

// Decoding a records reply (JSON parse, base64 decode of key and value, record structs).
void BM_DecodeRecords(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string body = records_reply(n);
  for (auto _ : state) benchmark::DoNotOptimize(decode_records(body, EmbeddedFormat::kBinary));
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_DecodeRecords)->Apply(sweep_records);

// Decoding a produce reply (the per-record acknowledgements the sink checks even on HTTP 200).
void BM_DecodeProduceReply(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string body = produce_reply(n);
  for (auto _ : state) {
    benchmark::DoNotOptimize(decode_produce_reply(body, static_cast<size_t>(n)));
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_DecodeProduceReply)->Apply(sweep_records);

}  // namespace
