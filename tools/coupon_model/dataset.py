"""The cache data set as the plugin scores it, encoded, plus deterministic synthetic labels.

For the exporter's test and the benchmark model: reads the three cache CSVs (the layout
``streamhost-datagen`` writes), builds the catalog the way the plugin's Catalog::build does (per
category the distinct coupons that have coupon_info, sorted by coupon id; categories in the
plugin's order) and encodes customer x coupon rows with ``encoding``'s rules, vectorised.
The data set has no real outcome, so labels are synthetic: a fixed function of the features plus
a hash of the ids, the same on every machine.
"""

import csv
import os

import numpy as np

from . import encoding

# The plugin's Category enum order (events.hpp), in the data's spelling.
CATEGORIES = ["Boys", "Girls", "Men", "Sport", "Women"]


class Dataset:
    def __init__(self, directory):
        with open(os.path.join(directory, "customer_info.csv"), newline="") as f:
            self.customers = sorted(csv.DictReader(f), key=lambda r: int(r["customer_id"]))
        with open(os.path.join(directory, "coupon_info.csv"), newline="") as f:
            info = {int(r["coupon_id"]): r for r in csv.DictReader(f)}
        members = {c: set() for c in CATEGORIES}
        with open(os.path.join(directory, "coupon_categories.csv"), newline="") as f:
            for r in csv.DictReader(f):
                coupon_id = int(r["coupon_id"])
                if r["category"] in members and coupon_id in info:
                    members[r["category"]].add(coupon_id)
        # category -> list of coupon rows (dicts with mean_item_price, mean_coupon_discount,
        # category, coupon_id), sorted by coupon id.
        self.catalog = {
            c: [dict(info[i], category=c, coupon_id=i) for i in sorted(members[c])]
            for c in CATEGORIES
        }
        self.customer_ids = np.array([int(r["customer_id"]) for r in self.customers], dtype=np.int64)
        self._customer_cache = {}

    def pair_count(self):
        return len(self.customers) * sum(len(v) for v in self.catalog.values())

    def customer_matrix(self, features):
        """Customer columns of every customer (NaN where the feature is a coupon column)."""
        key = tuple(features)
        if key not in self._customer_cache:
            self._customer_cache[key] = self._customer_matrix(features)
        return self._customer_cache[key]

    def _customer_matrix(self, features):
        rows = np.full((len(self.customers), len(features)), np.nan)
        for j, name in enumerate(features):
            if not name.startswith("customer."):
                continue
            column = encoding.CACHE_COLUMNS[name]
            for i, c in enumerate(self.customers):
                value = c.get(column)
                if name in encoding.CODES:
                    rows[i, j] = encoding._code(encoding.CODES[name], value)
                else:
                    rows[i, j] = encoding._number(value)
        return rows

    def coupon_matrix(self, category, features, sport_matches_sports=False):
        """Coupon columns of the category's coupons (NaN where the feature is a customer column)."""
        coupons = self.catalog[category]
        rows = np.full((len(coupons), len(features)), np.nan)
        for j, name in enumerate(features):
            if name.startswith("customer."):
                continue
            if name.startswith("coupons[].item_category="):
                encoded = "Sports" if sport_matches_sports and category == "Sport" else category
                rows[:, j] = 1.0 if name.split("=", 1)[1] == encoded else 0.0
            else:
                column = encoding.CACHE_COLUMNS[name]
                rows[:, j] = [encoding._number(c[column]) for c in coupons]
        return rows

    def rows(self, customer_slice, features, sport_matches_sports=False):
        """Encoded rows for the customers in ``customer_slice`` in the plugin's scoring order:
        per customer, per category (CATEGORIES order), per coupon (by id)."""
        customers = self.customer_matrix(features)[customer_slice]
        is_customer = np.array([f.startswith("customer.") for f in features])
        coupons = np.vstack([self.coupon_matrix(c, features, sport_matches_sports)
                             for c in CATEGORIES])
        rows = np.empty((len(customers), len(coupons), len(features)))
        rows[:] = coupons[None, :, :]
        rows[:, :, is_customer] = customers[:, None, is_customer]
        return rows.reshape(-1, len(features))


def _mix(a, b, c):
    # splitmix64 finaliser over the three ids: a uniform number in [0, 1) per pair.
    mask = (1 << 64) - 1
    z = (a * 0x9E3779B97F4A7C15 + b * 0xBF58476D1CE4E5B9 + c * 0x94D049BB133111EB) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    z ^= z >> 31
    return (z >> 11) / float(1 << 53)


def synthetic_labels(rows, features, ids):
    """0/1 labels: redeemed with a probability that rises with the discount, the customer's
    coupon habit and their interaction, and falls with the price; drawn with a hash of the ids."""
    col = {name: rows[:, j] for j, name in enumerate(features)}
    discount = -np.nan_to_num(col.get("coupons[].coupon_discount", 0.0))
    price = np.nan_to_num(col.get("coupons[].item_selling_price", 0.0))
    habit = np.minimum(np.nan_to_num(col.get("customer.total_coupons_redeemed", 0.0)), 40.0)
    used = -np.nan_to_num(col.get("customer.mean_discount_used", 0.0))
    age = np.nan_to_num(col.get("customer.age_range", 0.0))
    women = np.nan_to_num(col.get("coupons[].item_category=Women", 0.0))
    logit = (-2.2 + 0.35 * discount - 0.003 * price + 0.05 * habit
             + 0.5 * (used > 0.8) * (discount > 1.5) - 0.1 * age + 0.3 * women)
    p = 1.0 / (1.0 + np.exp(-logit))
    customer_ids, coupon_ids, categories = ids
    u = np.array([_mix(int(a), int(b), int(c)) for a, b, c in zip(customer_ids, coupon_ids, categories)])
    return (u < p).astype(np.int64)


def sample_pairs(dataset, count, seed):
    """A deterministic sample of encoded rows with their ids (legacy RandomState is frozen)."""
    rng = np.random.RandomState(seed)
    per_customer = sum(len(v) for v in dataset.catalog.values())
    picks = np.sort(rng.choice(dataset.pair_count(), size=count, replace=False))
    customer_index = picks // per_customer
    return customer_index, picks % per_customer


def training_set(dataset, count, seed, features=None, sport_matches_sports=False):
    """``count`` sampled pairs: (X, y) with synthetic labels."""
    features = list(encoding.FEATURES if features is None else features)
    customer_index, coupon_index = sample_pairs(dataset, count, seed)
    customers = dataset.customer_matrix(features)
    coupons = np.vstack([dataset.coupon_matrix(c, features, sport_matches_sports) for c in CATEGORIES])
    is_customer = np.array([f.startswith("customer.") for f in features])
    X = coupons[coupon_index].copy()
    X[:, is_customer] = customers[customer_index][:, is_customer]
    coupon_ids = np.concatenate([[c["coupon_id"] for c in dataset.catalog[k]] for k in CATEGORIES])
    categories = np.concatenate([[i] * len(dataset.catalog[k]) for i, k in enumerate(CATEGORIES)])
    ids = (dataset.customer_ids[customer_index], coupon_ids[coupon_index], categories[coupon_index])
    return X, synthetic_labels(X, features, ids)


__all__ = ["CATEGORIES", "Dataset", "sample_pairs", "synthetic_labels", "training_set"]
