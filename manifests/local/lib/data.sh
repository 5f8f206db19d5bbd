# The cache tables' data: synthetic (the project's generator, the default) or the real data set.

DEFAULT_SEED=${STREAMHOST_DATAGEN_SEED:-42}
datagen_bin() { echo "$BUILD_DIR/bin/streamhost-datagen"; }

load_synthetic() {
  local seed=$1 out
  [[ $seed =~ ^[0-9]+$ ]] || die "the seed must be a non-negative integer"
  [[ -x $(datagen_bin) ]] || die "$(datagen_bin) is not built: run 'cmake --build ${BUILD_DIR} --target streamhost-datagen' (or scripts/test), or set STREAMHOST_BUILD_DIR"
  out=$RUN_DIR/data/synthetic-$seed
  mkdir -p "$out"
  "$(datagen_bin)" --seed "$seed" --out "$out" >/dev/null || die "streamhost-datagen failed"
  pg_load_csv_dir "$out" "synthetic:$seed"
}

load_real() {
  local dir=$1
  [[ -d $dir ]] || die "no real data set at $dir"
  pg_load_csv_dir "$(cd "$dir" && pwd)" real
}

# On `up`: empty tables get the synthetic set when the generator is built; otherwise say how.
ensure_data() {
  [[ $(pg_row_count customer_info) == 0 ]] || return 0
  if [[ -x $(datagen_bin) ]]; then
    load_synthetic "$DEFAULT_SEED"
  else
    say "WARNING: the cache tables are empty and $(datagen_bin) is not built."
    say "         Build it (cmake --build ${BUILD_DIR} --target streamhost-datagen), then run"
    say "         'manifests/local/stack load-data synthetic' (or 'load-data real')."
  fi
}
