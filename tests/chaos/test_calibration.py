"""prefix_free(): the departments it keeps are exactly those whose answers can be told apart in one
customer's output stream, which is what lets invariants.check() map outputs back to inputs."""

import unittest

from .calibration import prefix_free


class PrefixFree(unittest.TestCase):
    def test_a_list_that_equals_or_starts_another_is_dropped_first_alphabetically_wins(self):
        cats = {"Women": [1, 2, 3], "Men": [1, 2], "Boys": [4], "Girls": [4], "Sport": [5, 1]}
        self.assertEqual(prefix_free(cats), {"Boys": [4], "Men": [1, 2], "Sport": [5, 1]})

    def test_lists_that_only_share_elements_are_kept(self):
        cats = {"Boys": [1, 2], "Girls": [2, 1], "Men": [1, 3]}
        self.assertEqual(prefix_free(cats), cats)


if __name__ == "__main__":
    unittest.main()
