"""Every pipeline overlay's topics (its pipeline manifest's routes, outputs and dead-letter topic,
with the variables its pods get) have KafkaTopic resources in <pipeline>/topics, for the Strimzi
cluster the KafkaBridge uses, as kustomize renders both; and the check reports what it should."""

import copy
import unittest

import yaml

import deploy_files as df
import kafka_topics


def pipeline_topics(name):
    k = df.rendered(name)
    d = k.one("Deployment")
    doc = yaml.safe_load(df.pod_pipeline(k, d)[0])
    return kafka_topics.pipeline_topics(doc, df.provided_env(k, d)), d["spec"]["replicas"]


def cluster():
    return kafka_topics.bridge_cluster(df.rendered("strimzi").one("KafkaBridge"))


class Topics(unittest.TestCase):
    def test_every_pipelines_topics_have_kafka_topics(self):
        for name in df.PIPELINES:
            with self.subTest(pipeline=name):
                topics, replicas = pipeline_topics(name)
                self.assertEqual(sorted(set(topics.values())), ["dead-letter", "input", "output"], topics)
                kafka = df.rendered(f"{name}/topics").find("KafkaTopic")
                self.assertEqual(kafka_topics.problems(topics, kafka, replicas, cluster()), [])

    def test_the_bridges_cluster_is_read(self):
        self.assertEqual(cluster(), "my-cluster")

    def test_the_topic_overlays_hold_kafka_topics_only(self):
        # They are applied where the Topic Operator watches, which may be another namespace than
        # the pipeline's: nothing else may come along.
        for name in df.PIPELINES:
            kinds = {o["kind"] for o in df.rendered(f"{name}/topics").objects}
            self.assertEqual(kinds, {"KafkaTopic"}, name)

    def test_the_check_reports_each_fault(self):
        topics, replicas = pipeline_topics("coupon")
        kafka = df.rendered("coupon/topics").find("KafkaTopic")
        inputs = [n for n, role in topics.items() if role == "input"]
        dead_letter = next(n for n, role in topics.items() if role == "dead-letter")

        def named(ks, topic):
            return next(k for k in ks if k["metadata"]["name"] == topic)

        cases = {
            "a topic missing": lambda ks: ks.remove(named(ks, inputs[0])),
            "a topic left over": lambda ks: ks.append(dict(copy.deepcopy(ks[0]), metadata={
                "name": "not-read", "labels": ks[0]["metadata"]["labels"]})),
            "too few partitions": lambda ks: named(ks, inputs[0])["spec"].update(partitions=1),
            "no room for a broker's loss": lambda ks: named(ks, inputs[1])["spec"].update(replicas=2),
            "dead-letter retention unset": lambda ks: named(ks, dead_letter)["spec"]["config"].pop("retention.ms"),
            "another cluster": lambda ks: named(ks, dead_letter)["metadata"]["labels"].update(
                {"strimzi.io/cluster": "other"}),
            "another API": lambda ks: named(ks, dead_letter).update(apiVersion="kafka.strimzi.io/v1alpha1"),
        }
        for case, change in cases.items():
            with self.subTest(case=case):
                ks = copy.deepcopy(kafka)
                change(ks)
                self.assertTrue(kafka_topics.problems(topics, ks, replicas, cluster()), case)
        # A renamed topic in the pipeline's environment is caught too: the KafkaTopic is then both
        # missing for the new name and left over for the old one.
        renamed = {("renamed-" + n if n == inputs[0] else n): r for n, r in topics.items()}
        self.assertEqual(len(kafka_topics.problems(renamed, kafka, replicas, cluster())), 2)


if __name__ == "__main__":
    unittest.main()
