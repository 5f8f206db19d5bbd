"""Bad records arrive while the dead-letter topic does not exist (the scenario does not create it)."""

from .poison import poison_record


def plan(run, expected):
    inputs = run.plan(expected, 120)
    out = []
    for i, x in enumerate(inputs):
        out.append(x)
        if i in (30, 90):
            out.append(poison_record(run.run_id, len(out), "truncated"))
    return out


def post_check(run, res, out):
    out["dlq_topic_note"] = ("the dead-letter topic did not exist at start; the stack's broker "
                             "auto-creates topics (auto.create.topics.enable=true)")
