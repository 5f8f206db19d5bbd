"""The chaos suite (scripts/chaos is its launcher; docs/testing.md, "Chaos suite"), laid out as
Kafka's system tests are (tests/kafkatest: services, one module per fault, parametrised tests):

  settings.py       the repository, the stack script, the bounds every scenario is held to
  services/         what the suite drives: the stack (endpoints, its bridge and PostgreSQL processes),
                    the REST proxy (produce, the checking consumer), Kafka's wire protocol (committed
                    offsets, group state), the HTTP fault proxy, the streamhost hosts
  faults/           one module per fault (kill -9 of a host, bridge restart, PostgreSQL paused or
                    restarted, scorer stalled or slow, slow sink, poison records, missing dead-letter
                    topic)
  scenarios.py      the scenarios as Scenario dataclasses: fault, hosts, load, bounds
  calibration.py    the expected answer of every (customer, department), from a TESTING_NO_KAFKA host
  workload.py       the inputs of a run
  invariants.py     the checker that decides PASS, pure functions (test_invariants.py tests them)
  run.py            one scenario run: topics, hosts, load, fault, samplers, verdict
  cli.py            the command line, the table and the summary files

Python 3 standard library only.
"""
