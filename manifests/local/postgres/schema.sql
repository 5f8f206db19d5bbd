-- The cache tables of the coupon service, exactly as the seed service defines them, plus the indexes
-- its queries need. Idempotent: manifests/local/stack runs it on every `up`.

CREATE TABLE IF NOT EXISTS coupon_categories (
  id SERIAL,
  coupon_id INT,
  item_id INT,
  category VARCHAR(50),
  PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS coupon_info (
  coupon_id INT,
  mean_coupon_discount FLOAT,
  mean_item_price FLOAT,
  PRIMARY KEY (coupon_id)
);

CREATE TABLE IF NOT EXISTS customer_info (
  customer_id INT,
  age_range VARCHAR(6),
  marital_status VARCHAR(10),
  family_size INT,
  no_of_children INT,
  income_bracket INT,
  gender VARCHAR(1),
  mean_discount_used_by_cust FLOAT,
  unique_items_bought_by_cust INT,
  mean_selling_price_paid_by_cust FLOAT,
  mean_quantity_bought_by_cust FLOAT,
  total_discount_used_by_cust FLOAT,
  total_coupons_used_by_cust INT,
  total_price_paid_by_cust FLOAT,
  total_quantity_bought_by_cust INT,
  PRIMARY KEY (customer_id)
);

-- A focus event asks for every coupon of one category: 700-960 of them out of ~92k item rows.
CREATE INDEX IF NOT EXISTS coupon_categories_category_idx ON coupon_categories (category, coupon_id);
CREATE INDEX IF NOT EXISTS coupon_categories_coupon_idx ON coupon_categories (coupon_id);
