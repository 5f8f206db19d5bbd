# Resolves the broker and bridge classpaths from Maven Central into the cache dir (outside the run
# dir, so `down` + `up` need no network). A folder is re-resolved only when its inputs changed.
#
# The bridge is the real Strimzi Kafka Bridge 0.33.1, provided unmodified beside the repository in
# shared/vendor/ (it is not served by the Maven registry reachable here). Only its runtime
# dependencies come from Maven Central, resolved from its own POM: its classpath is its own
# (kafka-clients 4.1.0, Vert.x 5, log4j 2.17), never merged with the broker's.

KAFKA_POM=$STACK_REPO/manifests/local/kafka/broker/pom.xml
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies

BRIDGE_VERSION=0.33.1
SHARED_DIR=${STREAMHOST_SHARED_DIR:-$STACK_REPO/../shared}
BRIDGE_VENDOR=$SHARED_DIR/vendor/strimzi-kafka-bridge-$BRIDGE_VERSION
BRIDGE_VENDOR_JAR=$BRIDGE_VENDOR/kafka-bridge-$BRIDGE_VERSION.jar
BRIDGE_VENDOR_POM=$BRIDGE_VENDOR/kafka-bridge-$BRIDGE_VERSION.pom
BRIDGE_VENDOR_LOG4J=$BRIDGE_VENDOR/log4j2.properties
# The vendor files the stack uses; each must be listed in the folder's SHA256SUMS and match it.
BRIDGE_VENDOR_FILES=("kafka-bridge-$BRIDGE_VERSION.jar" "kafka-bridge-$BRIDGE_VERSION.pom" log4j2.properties)
# The checked copies in bridge-libs: the jar named as the dependency plugin names the others
# (groupId.artifactId-version), and the distribution's logging configuration (bridge.sh starts from it).
BRIDGE_JAR_NAME=io.strimzi.kafka-bridge-$BRIDGE_VERSION.jar
BRIDGE_LOG4J_COPY=$BRIDGE_LIBS/vendor-log4j2.properties

inputs_hash() { cat "$@" | sha256sum | cut -d' ' -f1; }

copy_deps() {
  local pom=$1 out=$2
  shift 2
  rm -rf "$out.tmp"
  mvn -B -q -f "$pom" "$DEP_PLUGIN" -DoutputDirectory="$out.tmp" -DincludeScope=runtime \
    -Dmdep.prependGroupId=true "$@"
}

resolve_broker() {
  local want
  want=$(inputs_hash "$KAFKA_POM")
  [[ -f $KAFKA_LIBS/.inputs && $(<"$KAFKA_LIBS/.inputs") == "$want" ]] && return 0
  say "resolving the Kafka broker jars with Maven into $KAFKA_LIBS"
  if ! copy_deps "$KAFKA_POM" "$KAFKA_LIBS"; then
    # 4.4.0 is the newest line known to resolve with all its dependencies.
    say "kafka_2.13 default version did not resolve; retrying with 4.4.0"
    copy_deps "$KAFKA_POM" "$KAFKA_LIBS" -Dkafka.version=4.4.0 || die "could not resolve the Kafka jars"
  fi
  rm -rf "$KAFKA_LIBS" && mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
  echo "$want" >"$KAFKA_LIBS/.inputs"
}

# Fails, naming the file, unless the vendor folder holds the bridge files the stack uses, each listed
# in its SHA256SUMS and matching it.
verify_bridge_vendor() {
  local f sum name want=()
  [[ -d $BRIDGE_VENDOR ]] ||
    die "the Strimzi Kafka Bridge $BRIDGE_VERSION is missing: no $BRIDGE_VENDOR (the shared folder beside the repository; set STREAMHOST_SHARED_DIR to point elsewhere)"
  [[ -r $BRIDGE_VENDOR/SHA256SUMS ]] || die "$BRIDGE_VENDOR/SHA256SUMS is missing"
  for f in "${BRIDGE_VENDOR_FILES[@]}"; do
    [[ -r $BRIDGE_VENDOR/$f ]] || die "$BRIDGE_VENDOR/$f is missing"
    want=()
    while read -r sum name; do
      [[ ${name#\*} == "$f" ]] && want+=("$sum")
    done <"$BRIDGE_VENDOR/SHA256SUMS"
    ((${#want[@]} == 1)) || die "$BRIDGE_VENDOR/SHA256SUMS has no single entry for $f"
    [[ $(sha256sum <"$BRIDGE_VENDOR/$f" | cut -d' ' -f1) == "${want[0]}" ]] ||
      die "$BRIDGE_VENDOR/$f does not match its SHA256SUMS entry: the vendor copy was altered or damaged"
  done
}

bridge_inputs_hash() { inputs_hash "$BRIDGE_VENDOR_POM" "$BRIDGE_VENDOR_JAR" "$BRIDGE_VENDOR_LOG4J" 2>/dev/null; }

resolve_bridge() {
  local want work
  verify_bridge_vendor
  want=$(bridge_inputs_hash)
  [[ -f $BRIDGE_LIBS/.inputs && $(<"$BRIDGE_LIBS/.inputs") == "$want" ]] && return 0
  say "resolving the Strimzi Kafka Bridge $BRIDGE_VERSION runtime jars with Maven into $BRIDGE_LIBS"
  # Maven reads the POM from a writable copy: the shared folder is read-only in CI.
  work=$CACHE_DIR/kafka/bridge-pom
  rm -rf "$work" && mkdir -p "$work"
  cp "$BRIDGE_VENDOR_POM" "$work/pom.xml"
  copy_deps "$work/pom.xml" "$BRIDGE_LIBS" || die "could not resolve the bridge's runtime jars from $BRIDGE_VENDOR_POM"
  rm -rf "$work"
  cp "$BRIDGE_VENDOR_JAR" "$BRIDGE_LIBS.tmp/$BRIDGE_JAR_NAME"
  cp "$BRIDGE_VENDOR_LOG4J" "$BRIDGE_LIBS.tmp/${BRIDGE_LOG4J_COPY##*/}"
  rm -rf "$BRIDGE_LIBS" && mv "$BRIDGE_LIBS.tmp" "$BRIDGE_LIBS"
  echo "$want" >"$BRIDGE_LIBS/.inputs"
}

jars_resolved() {
  [[ -f $KAFKA_LIBS/.inputs && $(<"$KAFKA_LIBS/.inputs") == "$(inputs_hash "$KAFKA_POM")" ]] || return 1
  [[ -f $BRIDGE_LIBS/.inputs && $(<"$BRIDGE_LIBS/.inputs") == "$(bridge_inputs_hash)" ]]
}

resolve_jars() {
  command -v mvn >/dev/null || die "mvn not found: run scripts/install-deps"
  mkdir -p "$CACHE_DIR/kafka"
  resolve_broker
  resolve_bridge
}
