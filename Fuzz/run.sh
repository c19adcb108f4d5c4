#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/Sources) and runs each for a bounded time.
#
#   Fuzz/run.sh [SECONDS] [TARGET...]     default: 60 seconds, every target
#
# Each target starts from its seed corpus in Fuzz/corpus/<target>/ (committed) and keeps what
# it finds in a scratch corpus under .build-fuzz/corpus/<target>/ (not committed). A crash,
# trap, timeout or out-of-memory stops the run with a non-zero exit; libFuzzer writes the input
# that caused it to .build-fuzz/artifacts/<target>/ — add it to Fuzz/corpus/<target>/ with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(FuzzConfig FuzzMigrationFile FuzzDatabaseURL)
fi

scratch=".build-fuzz"
# Add ',address' for AddressSanitizer where the toolchain supports it.
sanitizers="${CUTOVER_FUZZ_SANITIZERS:-fuzzer}"

# 1. SwiftPM compiles each harness and what it uses (CutoverCore, swift-log), every module
#    instrumented for coverage. The harnesses are library targets declared only when
#    CUTOVER_FUZZ=1, so nothing is linked here.
build=(swift build -c release --scratch-path "$scratch" -Xswiftc "-sanitize=$sanitizers" -Xswiftc -parse-as-library)
for target in "${targets[@]}"; do
  echo "--- fuzz: compiling $target"
  CUTOVER_FUZZ=1 "${build[@]}" --target "$target"
done
objects="$(CUTOVER_FUZZ=1 "${build[@]}" --show-bin-path)"

# 2. swiftc links each harness with libFuzzer, whose main() runs LLVMFuzzerTestOneInput.
#    (A SwiftPM executable target cannot be used: SwiftPM points `main` at the target's own
#    entry point, which clashes with libFuzzer's.)
# The objects of a module: one per source file SwiftPM compiled (never a stale one left over).
# SwiftPM's `sources` list puts a path with a space in single quotes
# ('…/Basic ASN1 Types/ASN1Any.swift' in swift-crypto): they are not part of the name.
objects_of() {
  local folder="$objects/$1.build"
  while IFS= read -r source; do
    source="${source#\'}"
    source="${source%\'}"
    printf '%s\n' "$folder/$(basename "$source").o"
  done < "$folder/sources"
}
# A C module (BoringSSL and XKCP under swift-crypto, which CutoverCore's checksums use) has
# no `sources` list: every object SwiftPM compiled for it, in its sub-folders.
c_objects_of() {
  find "$objects/$1.build" -name '*.o' | sort
}
mkdir -p "$scratch/fuzzers"
for target in "${targets[@]}"; do
  echo "--- fuzz: linking $target"
  mapfile -t inputs < <(objects_of "$target"; objects_of CutoverCore; objects_of Logging; objects_of Crypto; objects_of CryptoBoringWrapper; c_objects_of CCryptoBoringSSL; c_objects_of CCryptoBoringSSLShims; c_objects_of CXKCP; c_objects_of CXKCPShims)
  swiftc "-sanitize=$sanitizers" -o "$scratch/fuzzers/$target" "${inputs[@]}"
done

# 3. Run each for the given time.
for target in "${targets[@]}"; do
  echo "--- fuzz: running $target for ${seconds}s"
  corpus="$scratch/corpus/$target"
  artifacts="$scratch/artifacts/$target/"
  log="$scratch/logs/$target.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  # -timeout: one input taking over 10 s counts as a hang; -rss_limit_mb bounds memory.
  # libFuzzer prints a line per new input; that goes to the log, and only its end is shown
  # (all of the report when it found something).
  if ! "$scratch/fuzzers/$target" "$corpus" "Fuzz/corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=20000 \
    -artifact_prefix="$artifacts" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 80 "$log"
    echo "--- fuzz: $target failed; the input is in $artifacts, the whole log in $log" >&2
    exit 1
  fi
  tail -n 12 "$log"
done
echo "--- fuzz: no crash, hang or trap found in ${seconds}s per target"
