# Resolves the broker and bridge classpaths from Maven Central into the cache dir (outside the run
# dir, so `down` + `up` need no network). A folder is re-resolved only when its inputs changed.

KAFKA_POM=$STACK_REPO/manifests/local/kafka/broker/pom.xml
BRIDGE_DIR=$STACK_REPO/manifests/local/kafka/bridge
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies
BRIDGE_JAR=streamhost-local-bridge.jar

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

resolve_bridge() {
  local want sources
  mapfile -t sources < <(find "$BRIDGE_DIR/src" -name '*.java' | sort)
  want=$(inputs_hash "$BRIDGE_DIR/pom.xml" "${sources[@]}")
  [[ -f $BRIDGE_LIBS/.inputs && $(<"$BRIDGE_LIBS/.inputs") == "$want" ]] && return 0
  command -v javac >/dev/null || die "javac not found: run scripts/install-deps (it installs a JDK 17)"
  say "resolving the bridge jars with Maven and compiling the local bridge into $BRIDGE_LIBS"
  copy_deps "$BRIDGE_DIR/pom.xml" "$BRIDGE_LIBS" || die "could not resolve the bridge jars"
  local classes=$BRIDGE_LIBS.tmp/classes
  mkdir -p "$classes"
  javac -nowarn --release 17 -d "$classes" -cp "$BRIDGE_LIBS.tmp/*" "${sources[@]}" ||
    die "the local bridge did not compile"
  jar cf "$BRIDGE_LIBS.tmp/$BRIDGE_JAR" -C "$classes" . && rm -rf "$classes"
  rm -rf "$BRIDGE_LIBS" && mv "$BRIDGE_LIBS.tmp" "$BRIDGE_LIBS"
  echo "$want" >"$BRIDGE_LIBS/.inputs"
}

jars_resolved() {
  [[ -f $KAFKA_LIBS/.inputs && $(<"$KAFKA_LIBS/.inputs") == "$(inputs_hash "$KAFKA_POM")" ]] || return 1
  local sources
  mapfile -t sources < <(find "$BRIDGE_DIR/src" -name '*.java' | sort)
  [[ -f $BRIDGE_LIBS/.inputs && $(<"$BRIDGE_LIBS/.inputs") == "$(inputs_hash "$BRIDGE_DIR/pom.xml" "${sources[@]}")" ]]
}

resolve_jars() {
  command -v mvn >/dev/null || die "mvn not found: run scripts/install-deps"
  mkdir -p "$CACHE_DIR/kafka"
  resolve_broker
  resolve_bridge
}
