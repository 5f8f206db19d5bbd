"""One module per fault, as Kafka's Trogdor has one spec per fault. A fault is a function of the
Run: it waits with run.at(), records its moment with run.fault() and injects; a module may also
give a setup(run) (before the hosts start), a plan(run, expected) (the inputs) and a
post_check(run, res, out) (scenario-specific verdict). scenarios.py puts them together."""
