"""One module per fault, as Kafka's system tests have one per Trogdor fault spec
(tests/kafkatest/services/trogdor/*_fault_spec.py). A fault is a function of the Run: it waits
with run.at(), records its moment with run.fault() and injects. A module may also give a
setup(run) (before the hosts start), a plan(run, expected) (the inputs) and a
post_check(run, res, out) (the scenario's own verdict). scenarios.py puts them together."""
