"""The feature encoding of the original prediction service, as the coupon plugin reproduces it.

A model file names its columns with the original request's field names (``customer.age_range``,
``coupons[].item_selling_price``, ``coupons[].item_category=Boys`` for a one-hot column). The
plugin reads the same values from its cache tables (``CACHE_COLUMNS`` gives the rename) and encodes
them exactly as ``encode_row`` does, so a model trained on ``encode_row``'s output scores the same
in the plugin as in scikit-learn.
"""

import math

AGE_RANGES = ["18-25", "26-35", "36-45", "46-55", "56-70", "70+"]
MARITAL_STATUSES = ["Married", "Single"]
GENDERS = ["F", "M"]
ITEM_CATEGORIES = ["Boys", "Girls", "Men", "Sports", "Women"]

# The original request's customer fields (without customer_id, not a feature) in request order,
# each with the customer_info column the plugin reads it from.
CUSTOMER_FIELDS = [
    ("age_range", "age_range"),
    ("marital_status", "marital_status"),
    ("family_size", "family_size"),
    ("no_of_children", "no_of_children"),
    ("income_bracket", "income_bracket"),
    ("gender", "gender"),
    ("mean_discount_used", "mean_discount_used_by_cust"),
    ("total_discount_used", "total_discount_used_by_cust"),
    ("total_unique_items_bought", "unique_items_bought_by_cust"),
    ("total_quantity_bought", "total_quantity_bought_by_cust"),
    ("mean_quantity_bought", "mean_quantity_bought_by_cust"),
    ("mean_selling_price_paid", "mean_selling_price_paid_by_cust"),
    ("total_coupons_redeemed", "total_coupons_used_by_cust"),
    ("total_price_paid", "total_price_paid_by_cust"),
]
# The coupon's numeric fields, with the coupon_info column each comes from.
COUPON_FIELDS = [
    ("item_selling_price", "mean_item_price"),
    ("coupon_discount", "mean_coupon_discount"),
]

CODES = {
    "customer.age_range": AGE_RANGES,
    "customer.marital_status": MARITAL_STATUSES,
    "customer.gender": GENDERS,
}

# Every column the plugin can encode, in the default order (the original request's order, then
# the one-hot categories).
FEATURES = (
    ["customer." + name for name, _ in CUSTOMER_FIELDS]
    + ["coupons[]." + name for name, _ in COUPON_FIELDS]
    + ["coupons[].item_category=" + c for c in ITEM_CATEGORIES]
)

# The original prediction service's encoder: its DataFrame columns in order (the order a pickle of
# the original was trained on and is fed in), each with the plugin's name for it
# (prediction-service-api.md, "The model's input columns").
ORIGINAL_COLUMNS = [
    ("age_range", "customer.age_range"),
    ("marital_status", "customer.marital_status"),
    ("family_size", "customer.family_size"),
    ("no_of_children", "customer.no_of_children"),
    ("income_bracket", "customer.income_bracket"),
    ("gender", "customer.gender"),
    ("mean_discount_per_cust", "customer.mean_discount_used"),
    ("unique_items_per_cust", "customer.total_unique_items_bought"),
    ("mean_quantity_per_cust", "customer.mean_quantity_bought"),
    ("mean_selling_price_per_cust", "customer.mean_selling_price_paid"),
    ("total_discount_per_cust", "customer.total_discount_used"),
    ("total_coupons_used_per_cust", "customer.total_coupons_redeemed"),
    ("total_quantity_per_cust", "customer.total_quantity_bought"),
    ("total_selling_price_per_cust", "customer.total_price_paid"),
    ("coupon_discount", "coupons[].coupon_discount"),
    ("item_selling_price", "coupons[].item_selling_price"),
] + [("category_" + c, "coupons[].item_category=" + c) for c in ITEM_CATEGORIES]
# The exporter's default when neither the file nor --features names the columns.
ORIGINAL_ORDER = [plugin for _, plugin in ORIGINAL_COLUMNS]

# Feature name -> cache column (customer_info or coupon_info; "category" for the one-hot columns).
CACHE_COLUMNS = dict(
    [("customer." + n, c) for n, c in CUSTOMER_FIELDS]
    + [("coupons[]." + n, c) for n, c in COUPON_FIELDS]
    + [("coupons[].item_category=" + c, "category") for c in ITEM_CATEGORIES]
)


def plugin_feature(name):
    """The plugin's name for a column named either way: the plugin's own (customer.age_range), the
    original encoder's DataFrame column (mean_discount_per_cust), or a bare request field
    (mean_discount_used, item_selling_price). Unknown names are returned as they are."""
    if name in CACHE_COLUMNS:
        return name
    original = dict(ORIGINAL_COLUMNS)
    if name in original:
        return original[name]
    for prefix in ("customer.", "coupons[]."):
        if prefix + name in CACHE_COLUMNS:
            return prefix + name
    return name


def encoding_section(features=None, sport_matches_sports=False):
    """The model file's "encoding" object."""
    features = list(FEATURES if features is None else features)
    unknown = [f for f in features if f not in CACHE_COLUMNS]
    if unknown:
        raise ValueError(
            "features the coupon plugin cannot encode: %s (known: %s; or the original encoder's "
            "columns %s)" % (", ".join(unknown), ", ".join(FEATURES),
                             ", ".join(n for n, _ in ORIGINAL_COLUMNS))
        )
    if len(set(features)) != len(features):
        raise ValueError("features must not repeat a name")
    return {
        "features": features,
        "age_range": AGE_RANGES,
        "marital_status": MARITAL_STATUSES,
        "gender": GENDERS,
        "item_category": ITEM_CATEGORIES,
        "sport_matches_sports": bool(sport_matches_sports),
    }


def _number(value):
    if value is None or value == "":
        return math.nan
    return float(value)


def _code(values, value):
    # A value outside the codes (or NULL) is missing, as in the plugin.
    try:
        return float(values.index(value))
    except ValueError:
        return math.nan


def encode_row(customer, coupon, features=None, sport_matches_sports=False):
    """One feature row as the plugin builds it.

    ``customer`` maps customer_info column names to values (text as read from the CSV or the
    database; None or "" for NULL); ``coupon`` maps ``mean_item_price``, ``mean_coupon_discount``
    and ``category`` (the data's spelling: ``Sport``). Missing values are NaN.
    """
    category = coupon["category"]
    if sport_matches_sports and category == "Sport":
        category = "Sports"
    row = []
    for name in FEATURES if features is None else features:
        column = CACHE_COLUMNS[name]
        if name.startswith("coupons[].item_category="):
            row.append(1.0 if category == name.split("=", 1)[1] else 0.0)
        elif name in CODES:
            value = customer.get(column)
            row.append(_code(CODES[name], value))
        elif name.startswith("customer."):
            row.append(_number(customer.get(column)))
        else:
            row.append(_number(coupon[column]))
    return row
